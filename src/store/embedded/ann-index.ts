import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { exactSearch, Index, MetricKind, ScalarKind } from 'usearch';

/**
 * usearch HNSW indexes, one per named vector, keyed by SQLite rowid. A file covers every row with
 * rowid <= maxRid; rowids are never reused and rows never change in place, so a file stays correct for
 * the rows it covers: deleted ones are skipped at query time and newer ones are scanned exactly.
 * The generation is in the file name (written to a temp file, fsynced, renamed), so a reader never
 * needs a separate metadata file that could disagree with the index after a crash.
 */

export interface AnnParams {
  /** HNSW M (graph degree). */
  connectivity: number;
  /** ef at build time. */
  expansionAdd: number;
  /** ef at query time: see DEFAULT_ANN_PARAMS. */
  expansionSearch: number;
  /**
   * How the graph stores its vectors. Candidates are always re-scored exactly from the f32 vectors, so
   * i8 costs no precision in the scores returned, only a little in which candidates the walk finds.
   */
  quantization: Quantization;
}

export type Quantization = 'f32' | 'i8';
const SCALAR: Record<Quantization, { kind: ScalarKind; bytes: number }> = {
  f32: { kind: ScalarKind.F32, bytes: 4 },
  i8: { kind: ScalarKind.I8, bytes: 1 },
};

/**
 * M 16, ef 768, i8: on the 341k x 100-d GloVe vocabulary (uniform query words, the store's 42 candidates
 * re-scored in f32) recall@10 0.990 at 4.2 ms a query where f32 took 5.8 ms at 0.990 on the same loaded
 * machine; ef 512 gives 0.98, ef 256 0.96 (scripts/ann-sweep.ts). i8 also builds a 1280-d index 2.3×
 * faster and keeps a quarter of the vectors on disk and in the page cache. Exact search: ~45 ms.
 */
export const DEFAULT_ANN_PARAMS: AnnParams = {
  connectivity: 16,
  expansionAdd: 128,
  expansionSearch: 768,
  quantization: 'i8',
};

/** How a graph was built: a file built otherwise is served until its replacement is built. */
export type GraphBuild = Pick<AnnParams, 'quantization' | 'connectivity' | 'expansionAdd'>;

export function sameBuild(a: GraphBuild, b: GraphBuild): boolean {
  return (
    a.quantization === b.quantization &&
    a.connectivity === b.connectivity &&
    a.expansionAdd === b.expansionAdd
  );
}

export interface AnnFile {
  file: string;
  maxRid: number;
  size: number;
  build: GraphBuild;
}

/**
 * The build is in the name: `-i8-m16-a128`. Files from before quantization was configurable have no
 * suffix, files from before M and efConstruction were recorded only the quantization; both were built
 * with M 16 and efConstruction 128.
 */
const NAME_RE = /^ann-c(\d+)-v(\d+)-r(\d+)-n(\d+)(?:-(f32|i8)(?:-m(\d+)-a(\d+))?)?\.usearch$/;

/** `size` may be the placeholder a build from SQLite fills in once it has counted the rows. */
export function annFileName(
  cid: number,
  vec: number,
  maxRid: number,
  size: number | '{size}',
  build: GraphBuild,
): string {
  const tag = `${build.quantization}-m${build.connectivity}-a${build.expansionAdd}`;
  return `ann-c${cid}-v${vec}-r${maxRid}-n${size}-${tag}.usearch`;
}

/**
 * The newest file for (cid, vec) covering no row beyond `limit` (the highest rowid the caller's mirror
 * holds: a file may come from another process that saw more rows); of two covering the same rows, the
 * one built as `preferred`. A file built otherwise (by an older version or other settings) is still
 * used until its replacement is built. Files it supersedes are deleted, and so are files claiming rows
 * beyond the SQLite sequence (SQLite lost a commit they covered: those rowids could be handed out again
 * to different vectors). The sequence is read after listing the directory, so a file another process
 * just finished is never mistaken for one beyond it.
 */
export function pickAnnFile(
  dir: string,
  cid: number,
  vec: number,
  limit: number,
  sequence: () => number,
  preferred: GraphBuild,
): AnnFile | undefined {
  const files: AnnFile[] = [];
  for (const name of safeReaddir(dir)) {
    const m = NAME_RE.exec(name);
    if (!m || Number(m[1]) !== cid || Number(m[2]) !== vec) continue;
    const build: GraphBuild = {
      quantization: (m[5] ?? 'f32') as Quantization,
      connectivity: Number(m[6] ?? 16),
      expansionAdd: Number(m[7] ?? 128),
    };
    files.push({ file: path.join(dir, name), maxRid: Number(m[3]), size: Number(m[4]), build });
  }
  if (files.length === 0) return undefined;
  const seq = sequence();
  const rank = (f: AnnFile) => f.maxRid * 2 + (sameBuild(f.build, preferred) ? 1 : 0);
  let best: AnnFile | undefined;
  for (const f of files) if (f.maxRid <= limit && (!best || rank(f) > rank(best))) best = f;
  for (const f of files) if (f.maxRid > seq || (best && rank(f) < rank(best))) rmQuiet(f.file);
  return best;
}

const TMP_RE = /\.p(\d+)-[0-9a-f]+\.tmp$/;

/**
 * Removes every index file of a collection (on drop), or (no cid) temp files of interrupted builds:
 * those of processes no longer alive, since another process may be building in the same directory.
 */
export function removeAnnFiles(dir: string, cid?: number): void {
  for (const name of safeReaddir(dir)) {
    const m = NAME_RE.exec(name);
    if (cid !== undefined ? m && Number(m[1]) === cid : name.endsWith('.tmp') && !builderAlive(name)) {
      rmQuiet(path.join(dir, name));
    }
  }
}

function builderAlive(tmpName: string): boolean {
  const pid = Number(TMP_RE.exec(tmpName)?.[1] ?? 0);
  if (pid === 0 || pid === process.pid) return false; // this process's builds start after open
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function rmQuiet(file: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch {
    /* best effort: a stale file is ignored by name on the next open anyway */
  }
}

/**
 * The `count` rows of a packed row-major matrix with the largest inner product with `query`, best first,
 * with usearch's SIMD kernels on one thread: ~6× a JS loop (10.7k × 100-d: 0.24 against 1.5 ms). Its
 * f32 scores may differ from the store's own dot product in the last bits, so callers re-score.
 */
export function exactTopRows(
  matrix: Float32Array,
  dim: number,
  query: Float32Array,
  count: number,
): { rows: number[]; lastScore: number } {
  const m = exactSearch(matrix, query, dim, count, MetricKind.IP, 1);
  const rows = Array.from(m.keys, Number);
  // usearch's inner-product distance is 1 − dot.
  return { rows, lastScore: 1 - (m.distances[rows.length - 1] ?? 1) };
}

export class AnnIndex {
  private constructor(
    private readonly index: Index,
    readonly maxRid: number,
    readonly size: number,
    readonly file: string,
    readonly build: GraphBuild,
  ) {}

  /** Memory-maps the file (view), so opening a large index costs neither time nor heap. */
  static open(file: AnnFile, dims: number, params: AnnParams): AnnIndex {
    // The descriptor held across view() keeps the file from vanishing in between (another process may
    // delete it): on Linux usearch maps it through /proc/self/fd, elsewhere by name.
    const fd = fs.openSync(file.file, 'r');
    try {
      checkLayout(fd, file, dims);
      const index = newIndex(dims, { ...params, ...file.build });
      index.view(process.platform === 'linux' ? `/proc/self/fd/${fd}` : file.file);
      if (index.size() !== file.size || index.dimensions() !== dims) {
        throw new Error(
          `index file ${file.file} holds ${index.size()}x${index.dimensions()}, expected ${file.size}x${dims}`,
        );
      }
      return new AnnIndex(index, file.maxRid, file.size, file.file, file.build);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Rowids of the approximate k nearest, best first. */
  search(query: Float32Array, k: number): number[] {
    if (this.size === 0) return [];
    const m = this.index.search(query, Math.min(k, this.size), 1);
    const out: number[] = [];
    for (const key of m.keys) out.push(Number(key));
    return out;
  }
}

/** The sizes usearch 2.25's dense file format puts before the graph's nodes. */
const MATRIX_DIMS_BYTES = 8; // rows, bytes per row: u32 each
const DENSE_HEAD_BYTES = 64; // starts with the magic "usearch"
const GRAPH_HEAD_BYTES = 40; // size, connectivity, connectivity_base, max_level, entry_slot: u64 each
const LEVEL_BYTES = 2; // one int16 level per node

/**
 * Checks the file's layout before usearch maps it: usearch 2.25's view() trusts the sizes in the file
 * (an empty file makes it close fd 0; a matrix larger than the file, or a graph with more nodes, makes
 * it read past the mapping and crash the process; bounded upstream in unum-cloud/USearch#776).
 */
function checkLayout(fd: number, file: AnnFile, dims: number): void {
  const size = fs.fstatSync(fd).size;
  const bad = (why: string): Error => new Error(`index file ${file.file} is corrupt: ${why}`);
  const need = (end: number): void => {
    if (end > size) throw bad(`${size} bytes, shorter than its header says (${end})`);
  };
  const read = (offset: number, length: number): Buffer => {
    need(offset + length);
    const buf = Buffer.alloc(length);
    fs.readSync(fd, buf, 0, length, offset);
    return buf;
  };
  const matrix = read(0, MATRIX_DIMS_BYTES);
  const rows = matrix.readUInt32LE(0);
  const rowBytes = matrix.readUInt32LE(4);
  const want = dims * SCALAR[file.build.quantization].bytes;
  if (rows !== file.size || rowBytes !== want) {
    throw bad(`vectors ${rows}x${rowBytes} B, expected ${file.size}x${want} B`);
  }
  const head = MATRIX_DIMS_BYTES + rows * rowBytes;
  if (read(head, DENSE_HEAD_BYTES).toString('latin1', 0, 7) !== 'usearch') throw bad('no usearch header');
  const graphSize = read(head + DENSE_HEAD_BYTES, GRAPH_HEAD_BYTES).readBigUInt64LE(0);
  if (graphSize !== BigInt(rows)) throw bad(`graph of ${graphSize} nodes, expected ${rows}`);
  need(head + DENSE_HEAD_BYTES + GRAPH_HEAD_BYTES + rows * LEVEL_BYTES);
}

function newIndex(dims: number, p: AnnParams): Index {
  return new Index({
    dimensions: dims,
    metric: MetricKind.Cos,
    quantization: SCALAR[p.quantization].kind,
    connectivity: p.connectivity,
    expansion_add: p.expansionAdd,
    expansion_search: p.expansionSearch,
    multi: false,
  });
}

// Plain CommonJS, evaluated in a worker thread: building blocks its thread for seconds to minutes, which
// must not be the event loop's, and an eval'd worker needs no build step in tests or production. Rows
// from SQLite are read in pages by rowid (each page its own read transaction, so a long build never
// holds back the WAL) and added page by page: only one page of f32 vectors is in memory at a time.
const WORKER_SOURCE = `
const { parentPort, workerData: w } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const { Index } = require(w.usearchPath);
const index = new Index({ dimensions: w.dims, metric: 'cos', quantization: w.p.quantization, connectivity: w.p.connectivity,
  expansion_add: w.p.expansionAdd, expansion_search: w.p.expansionSearch, multi: false });
if (w.input.keys) {
  if (w.input.keys.length > 0) index.add(w.input.keys, w.input.vectors, w.threads);
} else {
  const Database = require(w.sqlitePath);
  const db = new Database(w.input.sqlite.file, { readonly: true, fileMustExist: true });
  const { table, column } = w.input.sqlite;
  const page = db.prepare('SELECT rid, ' + column + ' FROM ' + table + ' WHERE rid > ? AND rid <= ? ORDER BY rid LIMIT ' + w.page).raw(true);
  for (let after = 0; ; ) {
    const rows = page.all(after, w.maxRid);
    if (rows.length === 0) break;
    const keys = new BigUint64Array(rows.length);
    const vectors = new Float32Array(rows.length * w.dims);
    rows.forEach(([rid, blob], i) => {
      if (blob.byteLength !== w.dims * 4) throw new Error('stored vector of row ' + rid + ' has ' + blob.byteLength / 4 + ' dims');
      keys[i] = BigInt(rid);
      vectors.set(new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength)), i * w.dims);
    });
    index.add(keys, vectors, w.threads);
    after = rows[rows.length - 1][0];
  }
  db.close();
}
const size = index.size();
const final = path.join(w.dir, w.name.replace('{size}', String(size)));
const tmp = final + '.p' + process.pid + '-' + w.nonce + '.tmp';
index.save(tmp);
const fd = fs.openSync(tmp, 'r'); fs.fsyncSync(fd); fs.closeSync(fd);
fs.renameSync(tmp, final);
const dfd = fs.openSync(w.dir, 'r'); fs.fsyncSync(dfd); fs.closeSync(dfd);
parentPort.postMessage({ final, size });
`;

const requireHere = createRequire(import.meta.url);
const usearchPath = requireHere.resolve('usearch');
const sqlitePath = requireHere.resolve('better-sqlite3');
/** Rows a build from SQLite reads and adds at once (≈ 50 MB of f32 at 1280-d). */
const BUILD_PAGE_ROWS = 10_000;

/** What a build indexes: a snapshot from memory, or the rows of a SQLite table up to maxRid. */
export type BuildInput =
  | { keys: BigUint64Array; vectors: Float32Array }
  | { sqlite: { file: string; table: string; column: string } };

export interface BuildJob {
  promise: Promise<AnnFile>;
  cancel(): void;
}

/** Builds and saves an index in a worker thread; a memory snapshot is transferred (not copied). */
export function buildAnnFile(
  dir: string,
  cid: number,
  vec: number,
  maxRid: number,
  dims: number,
  input: BuildInput,
  params: AnnParams,
  threads = 0,
): BuildJob {
  // The size is in the name; rows read from SQLite are counted by the worker.
  const name = annFileName(cid, vec, maxRid, '{size}', params);
  const nonce = randomBytes(6).toString('hex');
  const transferList =
    'keys' in input ? [input.keys.buffer as ArrayBuffer, input.vectors.buffer as ArrayBuffer] : [];
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      usearchPath,
      sqlitePath,
      dims,
      p: params,
      input,
      dir,
      name,
      nonce,
      maxRid,
      page: BUILD_PAGE_ROWS,
      threads,
    },
    transferList,
  });
  const promise = new Promise<AnnFile>((resolve, reject) => {
    worker.once('message', (m: { final: string; size: number }) =>
      resolve({ file: m.final, maxRid, size: m.size, build: params }),
    );
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`index build exited with code ${code}`)));
  }).catch((e: unknown) => {
    // e.g. a full disk: a partial file must not wait for the next start
    for (const f of safeReaddir(dir)) if (f.endsWith(`-${nonce}.tmp`)) rmQuiet(path.join(dir, f));
    throw e;
  });
  return {
    promise,
    cancel: () => {
      worker.unref();
      void worker.terminate();
    },
  };
}
