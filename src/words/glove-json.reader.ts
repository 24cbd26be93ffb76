import { AppError, ErrorCode } from '../errors.js';
import { openChunkedReader, parseNumber, type ChunkedFile } from './bytes.js';
import type { ReadOptions, WordVectorEntry, WordVectorReader } from './types.js';

/**
 * Streams the wink-embeddings JSON layout:
 *   {"precision":8,"l2NormIndex":100,"wordIndex":101,"size":N,"dimensions":100,
 *    "words":[...], "vectors":{"the":[v0..v99, l2norm, index], ...}, "unkVector":[...]}
 * The file is ~307 MB, beyond V8's max string length, so JSON.parse is out. We scan bytes with a
 * small resumable parser: each step either completes an item or reports NEED and is retried after
 * the next chunk is appended. A plain `{"word":[...], ...}` object or one under "vectors" without
 * the metadata keys also works (then every number is a vector component).
 */

const NEED = -1;
const DONE = -2;
const WS = new Uint8Array(256);
for (const c of [0x20, 0x09, 0x0a, 0x0d]) WS[c] = 1;

function skipWs(buf: Buffer, i: number): number {
  while (i < buf.length && WS[buf[i]!] === 1) i++;
  return i;
}

/** buf[i] is '"'; returns the index just past the closing quote, or NEED. */
function scanString(buf: Buffer, i: number): number {
  for (let j = i + 1; j < buf.length; j++) {
    const c = buf[j];
    if (c === 0x5c) j++;
    else if (c === 0x22) return j + 1;
  }
  return NEED;
}

function decodeString(buf: Buffer, start: number, end: number): string {
  // start/end include the quotes; only escaped strings pay for JSON.parse.
  return buf.indexOf(0x5c, start) !== -1 && buf.indexOf(0x5c, start) < end
    ? (JSON.parse(buf.toString('utf8', start, end)) as string)
    : buf.toString('utf8', start + 1, end - 1);
}

/** End of a scalar token (number, true, false, null). */
function scanScalar(buf: Buffer, i: number): number {
  let j = i;
  while (j < buf.length) {
    const c = buf[j]!;
    if (c === 0x2c || c === 0x5d || c === 0x7d || WS[c] === 1) return j;
    j++;
  }
  return NEED;
}

/** Skips any JSON value starting at i; returns the index past it or NEED. */
function scanValue(buf: Buffer, i: number): number {
  const c = buf[i];
  if (c === 0x22) return scanString(buf, i);
  if (c !== 0x5b && c !== 0x7b) return scanScalar(buf, i);
  let depth = 0;
  for (let j = i; j < buf.length; j++) {
    const d = buf[j];
    if (d === 0x22) {
      j = scanString(buf, j);
      if (j === NEED) return NEED;
      j--;
    } else if (d === 0x5b || d === 0x7b) depth++;
    else if (d === 0x5d || d === 0x7d) {
      if (--depth === 0) return j + 1;
    }
  }
  return NEED;
}

function malformed(path: string, offset: number, what: string): AppError {
  return new AppError(
    ErrorCode.BAD_USER_INPUT,
    `${path}: malformed word-vector JSON at byte ${offset}: ${what}`,
  );
}

export class GloveJsonReader implements WordVectorReader {
  readonly format = 'glove-json';
  dimension = 0;
  total: number | undefined;
  /** Numeric top-level keys seen before "vectors" (precision, size, dimensions, wordIndex...). */
  readonly meta: Record<string, number> = {};
  private wordIndex = -1;
  private used = false;
  private peeked: WordVectorEntry | undefined;
  private lastEntry: { word: string; values: Float32Array; extras: number[] } | undefined;

  constructor(
    private readonly file: ChunkedFile,
    private readonly path: string,
    private readonly options: ReadOptions,
  ) {}

  /** Advances to the first entry of the "vectors" object and fixes the dimension. */
  async readHeader(): Promise<void> {
    await this.step((buf, i) => {
      i = skipWs(buf, i);
      if (i >= buf.length) return NEED;
      if (buf[i] !== 0x7b) throw malformed(this.path, this.file.base + i, 'expected {');
      return i + 1;
    });
    for (;;) {
      let key = '';
      let isVectors = false;
      await this.step((buf, i) => {
        i = skipWs(buf, i);
        if (buf[i] === 0x2c) i = skipWs(buf, i + 1);
        if (i >= buf.length) return NEED;
        if (buf[i] === 0x7d) throw malformed(this.path, this.file.base + i, 'no "vectors" object');
        const end = scanString(buf, i);
        if (end === NEED) return NEED;
        key = decodeString(buf, i, end);
        let j = skipWs(buf, end);
        if (j >= buf.length) return NEED;
        if (buf[j] !== 0x3a) throw malformed(this.path, this.file.base + j, 'expected :');
        j = skipWs(buf, j + 1);
        if (j >= buf.length) return NEED;
        if (key === 'vectors') {
          if (buf[j] !== 0x7b) throw malformed(this.path, this.file.base + j, '"vectors" must be an object');
          isVectors = true;
          return j + 1;
        }
        const vEnd = scanValue(buf, j);
        if (vEnd === NEED) return NEED;
        const c = buf[j]!;
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) this.meta[key] = parseNumber(buf, j, vEnd);
        return vEnd;
      });
      if (isVectors) break;
    }
    this.total = this.meta.size;
    this.wordIndex = this.meta.wordIndex ?? -1;
    this.dimension = this.meta.dimensions ?? 0;
    if (this.dimension === 0) {
      // No metadata: every number is a component, so the first entry tells the dimension.
      const first = await this.nextEntry(0);
      if (first) this.peeked = first;
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<WordVectorEntry> {
    if (this.used) throw new Error('GloveJsonReader is single-pass; open the file again');
    this.used = true;
    const limit = this.options.limit ?? Infinity;
    try {
      let index = 0;
      if (this.peeked && index < limit) {
        yield this.peeked;
        index++;
      }
      while (index < limit) {
        const entry = await this.nextEntry(index);
        if (!entry) {
          // Whatever follows the vectors object (unkVector) is not needed.
          this.file.finish(true);
          return;
        }
        yield entry;
        index++;
      }
      this.file.finish(false);
    } finally {
      await this.file.close();
    }
  }

  private async nextEntry(index: number): Promise<WordVectorEntry | undefined> {
    let done = false;
    await this.step((buf, i) => {
      const r = this.scanEntry(buf, i);
      if (r === DONE) {
        done = true;
        return i;
      }
      return r;
    });
    if (done) return undefined;
    const { word, values, extras } = this.lastEntry!;
    if (this.dimension === 0) this.dimension = values.length;
    // Values beyond the dimension are wink's l2 norm and frequency index.
    const rankAt = this.wordIndex - this.dimension;
    const rank = rankAt >= 0 && rankAt < extras.length ? extras[rankAt]! : index;
    return { word, vector: values, rank };
  }

  /** Parses `"word":[n,n,...]` plus a trailing `,`; DONE at the closing `}`. */
  private scanEntry(buf: Buffer, i: number): number {
    i = skipWs(buf, i);
    if (i >= buf.length) return NEED;
    if (buf[i] === 0x7d) return DONE;
    if (buf[i] === 0x2c) i = skipWs(buf, i + 1);
    if (i >= buf.length) return NEED;
    if (buf[i] !== 0x22) throw malformed(this.path, this.file.base + i, 'expected a word');
    const kEnd = scanString(buf, i);
    if (kEnd === NEED) return NEED;
    let j = skipWs(buf, kEnd);
    if (j + 1 >= buf.length) return NEED;
    if (buf[j] !== 0x3a) throw malformed(this.path, this.file.base + j, 'expected :');
    j = skipWs(buf, j + 1);
    if (j >= buf.length) return NEED;
    if (buf[j] !== 0x5b) throw malformed(this.path, this.file.base + j, 'expected [');
    j++;
    const dim = this.dimension;
    const values = dim > 0 ? new Float32Array(dim) : [];
    const extras: number[] = [];
    let n = 0;
    for (;;) {
      j = skipWs(buf, j);
      if (j >= buf.length) return NEED;
      if (buf[j] === 0x5d) break;
      if (buf[j] === 0x2c) j = skipWs(buf, j + 1);
      const end = scanScalar(buf, j);
      if (end === NEED) return NEED;
      const v = parseNumber(buf, j, end);
      if (dim === 0) (values as number[]).push(v);
      else if (n < dim) (values as Float32Array)[n] = v;
      else extras.push(v);
      n++;
      j = end;
    }
    const word = decodeString(buf, i, kEnd);
    if (dim > 0 && n < dim)
      throw malformed(this.path, this.file.base + i, `"${word}" has ${n} < ${dim} values`);
    this.lastEntry = { word, values: dim > 0 ? (values as Float32Array) : Float32Array.from(values), extras };
    return j + 1;
  }

  /** Runs a resumable scan from the current position, appending chunks until it completes. */
  private async step(scan: (buf: Buffer, i: number) => number): Promise<void> {
    for (;;) {
      const end = scan(this.file.buf, this.file.pos);
      if (end !== NEED) {
        this.file.pos = end;
        return;
      }
      if (!(await this.file.more())) throw malformed(this.path, this.file.offset, 'unexpected end of file');
    }
  }
}

/** Opens the JSON and reads up to the first vector, so `dimension` and `total` are set. */
export async function openGloveJson(path: string, options: ReadOptions = {}): Promise<GloveJsonReader> {
  return openChunkedReader(path, options, (file) => new GloveJsonReader(file, path, options));
}
