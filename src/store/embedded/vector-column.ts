import { dot } from '../../vectors.js';
import { copyBlob } from './sqlite-points.js';

/**
 * One named vector's unit-length rows, by slot, for a MemoryCollection. Resident: one contiguous
 * Float32Array (cosine is a dot product). Offloaded: a large collection whose ANN index covers its rows
 * keeps in memory only the rows newer than that index (the exact-scan tail); the covered rows stay in
 * SQLite and are read back when scored, e.g. the ~40 candidates an ANN search re-scores. A million
 * 1280-d images are then ~5 GB less resident, at ~10 µs per row read back.
 */

/** Reads stored vectors by rowid; a rowid missing from the result was deleted meanwhile. */
export type RowReader = (rids: readonly number[]) => Map<number, Buffer>;

export interface VectorColumn {
  readonly dim: number;
  readonly resident: boolean;
  ensureCapacity(slots: number): void;
  set(slot: number, rid: number, values: Float32Array): void;
  /** A stored BLOB; null when the row's vector was not read (an offloaded, covered row). */
  setBlob(slot: number, rid: number, blob: Buffer | null): void;
  clear(slot: number): void;
  /** Scores of `slots` against a unit query; NaN where the row no longer exists. */
  scores(query: Float32Array, slots: readonly number[], ridOf: (slot: number) => number): Float64Array;
  /** A copy of one row, undefined when it no longer exists. */
  row(slot: number, rid: number): Float32Array | undefined;
}

function fromBlob(blob: Buffer, dim: number): Float32Array {
  const out = new Float32Array(dim);
  copyBlob(blob, out, 0, dim);
  return out;
}

export class ResidentColumn implements VectorColumn {
  readonly resident = true;
  matrix: Float32Array;

  constructor(
    readonly dim: number,
    capacity: number,
  ) {
    this.matrix = new Float32Array(capacity * dim);
  }

  ensureCapacity(slots: number): void {
    if (slots * this.dim <= this.matrix.length) return;
    const next = new Float32Array(slots * this.dim);
    next.set(this.matrix);
    this.matrix = next;
  }

  set(slot: number, _rid: number, values: Float32Array): void {
    this.matrix.set(values, slot * this.dim);
  }

  setBlob(slot: number, _rid: number, blob: Buffer | null): void {
    if (!blob) throw new Error('a resident vector column needs every stored vector');
    copyBlob(blob, this.matrix, slot * this.dim, this.dim);
  }

  clear(): void {
    /* the slot is overwritten when reused */
  }

  scores(query: Float32Array, slots: readonly number[]): Float64Array {
    const out = new Float64Array(slots.length);
    for (let i = 0; i < slots.length; i++) out[i] = dot(query, this.matrix, slots[i]! * this.dim);
    return out;
  }

  row(slot: number): Float32Array {
    return this.matrix.slice(slot * this.dim, (slot + 1) * this.dim);
  }

  /** The rows of `slots`, in that order, packed into one matrix. */
  gather(slots: ArrayLike<number>): Float32Array {
    const d = this.dim;
    const out = new Float32Array(slots.length * d);
    for (let i = 0; i < slots.length; i++)
      out.set(this.matrix.subarray(slots[i]! * d, (slots[i]! + 1) * d), i * d);
    return out;
  }
}

export class OffloadedColumn implements VectorColumn {
  readonly resident = false;
  private readonly rows = new Map<number, Float32Array>();

  /** Rows with rowid <= `coveredRid` are not kept in memory. */
  constructor(
    readonly dim: number,
    private coveredRid: number,
    private readonly read: RowReader,
  ) {}

  /** Rows held in memory: the ones newer than the covering index. */
  get heldRows(): number {
    return this.rows.size;
  }

  /** Drops the held rows an index now covers: every row with rowid <= `rid`. */
  cover(rid: number, ridOf: (slot: number) => number): void {
    if (rid <= this.coveredRid) return;
    this.coveredRid = rid;
    for (const slot of this.rows.keys()) if (ridOf(slot) <= rid) this.rows.delete(slot);
  }

  ensureCapacity(): void {
    /* rows are held by slot in a map */
  }

  set(slot: number, rid: number, values: Float32Array): void {
    if (rid > this.coveredRid) this.rows.set(slot, Float32Array.from(values));
  }

  setBlob(slot: number, rid: number, blob: Buffer | null): void {
    if (rid > this.coveredRid && blob) this.rows.set(slot, fromBlob(blob, this.dim));
  }

  clear(slot: number): void {
    this.rows.delete(slot);
  }

  scores(query: Float32Array, slots: readonly number[], ridOf: (slot: number) => number): Float64Array {
    const out = new Float64Array(slots.length);
    const missing: number[] = [];
    for (let i = 0; i < slots.length; i++) {
      const held = this.rows.get(slots[i]!);
      if (held) out[i] = dot(query, held);
      else missing.push(i);
    }
    if (missing.length === 0) return out;
    const rids = missing.map((i) => ridOf(slots[i]!));
    const blobs = this.read(rids);
    const vec = new Float32Array(this.dim);
    for (const [k, i] of missing.entries()) {
      const blob = blobs.get(rids[k]!);
      if (!blob) {
        out[i] = NaN;
        continue;
      }
      copyBlob(blob, vec, 0, this.dim);
      out[i] = dot(query, vec);
    }
    return out;
  }

  row(slot: number, rid: number): Float32Array | undefined {
    const held = this.rows.get(slot);
    if (held) return Float32Array.from(held);
    const blob = this.read([rid]).get(rid);
    return blob ? fromBlob(blob, this.dim) : undefined;
  }
}
