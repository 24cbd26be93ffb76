import { closeSync, openSync, readSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { endianness } from 'node:os';
import { AppError, ErrorCode } from '../errors.js';
import { BinaryFile } from './binary-file.js';
import { EOS, subwordBuckets } from './fasttext-subwords.js';
import type { ProgressCallback, WordVectorEntry, WordVectorReader } from './types.js';

/**
 * fastText `.bin` models (fasttext.cc loadModel, args.cc, dictionary.cc, densematrix.cc):
 *   int32 magic 793712314, int32 version (≤ 12)
 *   args: int32 dim ws epoch minCount neg wordNgrams loss model bucket minn maxn lrUpdateRate, f64 t
 *   dict: int32 size nwords nlabels, int64 ntokens pruneidx_size,
 *         size × (NUL-terminated word, int64 count, int8 type 0=word 1=label),
 *         pruneidx_size × (int32 from, int32 to)
 *   bool quantized input, then input matrix: int64 rows (nwords + bucket), int64 cols, rows×cols f32
 *   bool qout, output matrix (not needed for word vectors, never read).
 */

export const FASTTEXT_MAGIC = 793712314;
export const FASTTEXT_VERSION = 12;

export interface FastTextArgs {
  dim: number;
  ws: number;
  epoch: number;
  minCount: number;
  neg: number;
  wordNgrams: number;
  loss: number;
  /** 1 cbow, 2 skipgram, 3 supervised */
  model: number;
  bucket: number;
  minn: number;
  maxn: number;
  lrUpdateRate: number;
  t: number;
}

export interface FastTextEntry {
  word: string;
  count: number;
  type: 'word' | 'label';
}

/** Where input-matrix rows come from: RAM, or positioned reads for models over the typed-array limit. */
interface RowSource {
  addRow(row: number, out: Float32Array): void;
  close(): void;
}

class MemoryRows implements RowSource {
  constructor(
    private readonly data: Float32Array,
    private readonly cols: number,
  ) {}
  addRow(row: number, out: Float32Array): void {
    const off = row * this.cols;
    for (let j = 0; j < this.cols; j++) out[j]! += this.data[off + j]!;
  }
  close(): void {}
}

class FileRows implements RowSource {
  private readonly scratch: Float32Array;
  private readonly bytes: Uint8Array;
  private fd: number;
  constructor(
    path: string,
    private readonly offset: number,
    private readonly cols: number,
  ) {
    this.fd = openSync(path, 'r');
    this.scratch = new Float32Array(cols);
    this.bytes = new Uint8Array(this.scratch.buffer);
  }
  addRow(row: number, out: Float32Array): void {
    readSync(this.fd, this.bytes, 0, this.bytes.length, this.offset + row * this.cols * 4);
    for (let j = 0; j < this.cols; j++) out[j]! += this.scratch[j]!;
  }
  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

export class FastTextModel implements WordVectorReader {
  readonly format = 'fasttext-bin';
  private readonly ids = new Map<string, number>();

  constructor(
    readonly args: FastTextArgs,
    readonly version: number,
    /** Words (ids < nwords) then labels, as in the file. */
    readonly entries: readonly FastTextEntry[],
    readonly nwords: number,
    readonly ntokens: number,
    /** fastText's pruneidx_: -1 = not pruned, else bucket → compacted row map (quantized models). */
    private readonly pruneIdx: { size: number; map: ReadonlyMap<number, number> },
    private readonly rows: RowSource,
    /** Words the iterator yields (the most frequent first); lookups still know every word. */
    private readonly limit = Infinity,
  ) {
    entries.forEach((e, i) => this.ids.set(e.word, i));
  }

  get dimension(): number {
    return this.args.dim;
  }

  /** Words the iterator yields: the vocabulary, or the first `limit` of it. */
  get total(): number {
    return Math.min(this.nwords, this.limit);
  }

  /** In-vocabulary words in file order (by descending count). */
  get words(): string[] {
    return this.entries.slice(0, this.nwords).map((e) => e.word);
  }

  /** Dictionary id of an in-vocabulary word, else -1 (labels are not words). */
  getWordId(word: string): number {
    const id = this.ids.get(word);
    return id !== undefined && id < this.nwords ? id : -1;
  }

  /** Input-matrix rows averaged for `word`: its own row when known, then its character n-grams. */
  getSubwordRows(word: string): number[] {
    const rows: number[] = [];
    const id = this.getWordId(word);
    if (id >= 0) rows.push(id);
    // fastText gives EOS no n-grams.
    if (word === EOS) return rows;
    const { size, map } = this.pruneIdx;
    if (size === 0) return rows;
    for (const h of subwordBuckets(word, this.args)) {
      if (size < 0) rows.push(this.nwords + h);
      else {
        const mapped = map.get(h);
        if (mapped !== undefined) rows.push(this.nwords + mapped);
      }
    }
    return rows;
  }

  /**
   * What `fasttext print-word-vectors` prints: the mean of the rows, accumulated in float32 like
   * fastText's Vector; all zeros for a word with no known row or n-gram.
   */
  getWordVector(word: string, out = new Float32Array(this.args.dim)): Float32Array {
    out.fill(0);
    const rows = this.getSubwordRows(word);
    for (const r of rows) this.rows.addRow(r, out);
    if (rows.length > 0) {
      const scale = Math.fround(1 / rows.length);
      for (let j = 0; j < out.length; j++) out[j]! *= scale;
    }
    return out;
  }

  /** In-vocabulary words with their (unnormalised) vectors, rank = dictionary id (up to the limit). */
  *vectors(): IterableIterator<WordVectorEntry> {
    for (let i = 0; i < this.total; i++) {
      const word = this.entries[i]!.word;
      yield { word, vector: this.getWordVector(word), rank: i };
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<WordVectorEntry> {
    const it = this.vectors();
    return { next: () => Promise.resolve(it.next()) };
  }

  /** Releases the file descriptor when rows are read from disk. */
  close(): void {
    this.rows.close();
  }
}

export interface FastTextLoadOptions {
  onProgress?: ProgressCallback;
  /** Iterate only the this many most frequent words (VOCAB_LIMIT); out-of-vocabulary lookups use all. */
  limit?: number;
  /** 'auto' keeps the input matrix in RAM up to 2 GiB, else reads rows from disk on demand. */
  matrix?: 'memory' | 'file' | 'auto';
}

function bad(path: string, what: string): AppError {
  return new AppError(ErrorCode.BAD_USER_INPUT, `${path}: ${what}`);
}

export async function loadFastTextBin(
  path: string,
  options: FastTextLoadOptions = {},
): Promise<FastTextModel> {
  if (endianness() !== 'LE')
    throw new Error('fastText models are read as little-endian; this host is big-endian');
  const { size: fileSize } = await stat(path);
  const fh = await open(path, 'r');
  try {
    const f = new BinaryFile(fh);
    const magic = await f.int32();
    if (magic !== FASTTEXT_MAGIC) throw bad(path, 'not a fastText .bin model (bad magic number)');
    const version = await f.int32();
    if (version > FASTTEXT_VERSION)
      throw bad(path, `fastText model version ${version} is newer than ${FASTTEXT_VERSION}`);
    const args: FastTextArgs = {
      dim: await f.int32(),
      ws: await f.int32(),
      epoch: await f.int32(),
      minCount: await f.int32(),
      neg: await f.int32(),
      wordNgrams: await f.int32(),
      loss: await f.int32(),
      model: await f.int32(),
      bucket: await f.int32(),
      minn: await f.int32(),
      maxn: await f.int32(),
      lrUpdateRate: await f.int32(),
      t: await f.float64(),
    };
    // fasttext.cc: version-11 supervised models had no character n-grams.
    if (version === 11 && args.model === 3) args.maxn = 0;

    const size = await f.int32();
    const nwords = await f.int32();
    await f.int32(); // nlabels
    const ntokens = await f.int64();
    const pruneSize = await f.int64();
    const entries: FastTextEntry[] = new Array<FastTextEntry>(size);
    for (let i = 0; i < size; i++) {
      const word = await f.cstring();
      const count = await f.int64();
      const type = (await f.uint8()) === 1 ? 'label' : 'word';
      entries[i] = { word, count, type };
    }
    const map = new Map<number, number>();
    for (let i = 0; i < pruneSize; i++) map.set(await f.int32(), await f.int32());
    options.onProgress?.(f.position, fileSize);

    if ((await f.uint8()) !== 0) {
      throw bad(path, 'quantized fastText models (.ftz) are not supported; use the full .bin model');
    }
    const rows = await f.int64();
    const cols = await f.int64();
    if (cols !== args.dim || rows !== nwords + (pruneSize > 0 ? pruneSize : args.bucket)) {
      throw bad(path, `input matrix is ${rows}×${cols}, expected ${nwords}+bucket × ${args.dim}`);
    }
    const bytes = rows * cols * 4;
    if (f.position + bytes > fileSize) throw bad(path, 'file is truncated inside the input matrix');
    const mode = options.matrix ?? 'auto';
    let source: RowSource;
    if (mode === 'file' || (mode === 'auto' && bytes > 2 ** 31)) {
      source = new FileRows(path, f.position, cols);
    } else {
      const data = new Float32Array(rows * cols);
      const start = f.position;
      await f.readInto(new Uint8Array(data.buffer), (done) => options.onProgress?.(start + done, fileSize));
      source = new MemoryRows(data, cols);
    }
    options.onProgress?.(fileSize, fileSize);
    const pruned = { size: pruneSize, map };
    return new FastTextModel(args, version, entries, nwords, ntokens, pruned, source, options.limit);
  } finally {
    await fh.close();
  }
}
