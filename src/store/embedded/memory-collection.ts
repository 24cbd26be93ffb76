import { compareScored } from '../validate.js';
import type { Payload } from '../vector-store.js';
import { dot } from '../../vectors.js';
import { exactTopRows } from './ann-index.js';
import type { Predicate } from './filter.js';
import type { VectorReader } from './sqlite-points.js';
import { OffloadedColumn, ResidentColumn } from './vector-column.js';

/**
 * The in-memory mirror of one collection, for searching: ids, payloads and rowids by slot, and per named
 * vector a column of unit-length rows (see vector-column.ts: resident, or offloaded to SQLite once an
 * index covers a large collection). Slots of deleted points are reused.
 */

/** Rows scored at once by an exact scan: bounds one read back from SQLite for an offloaded column. */
const SCORE_BATCH = 1024;

/** Candidates a packed scan takes past k, so ties and last-bit differences at the boundary are settled exactly. */
const PACKED_MARGIN = 16;
/** Larger than any difference between usearch's f32 inner product and `dot` on unit vectors. */
const SCORE_EPSILON = 1e-5;

/** A cached filter's live matching slots, and per resident vector a packed copy of their rows. */
interface Subset {
  pred: Predicate;
  slots: Set<number>;
  /** By vector index; dropped whenever a member or a member's vector changes. */
  packed: ({ matrix: Float32Array; slots: Int32Array } | undefined)[];
}

export interface Hit {
  slot: number;
  id: string;
  score: number;
}

export class MemoryCollection {
  private readonly columns: (ResidentColumn | OffloadedColumn)[];
  ids: (string | undefined)[] = [];
  payloads: (Payload | undefined)[] = [];
  rids: number[] = [];
  readonly idToSlot = new Map<string, number>();
  readonly ridToSlot = new Map<number, number>();
  private free: number[] = [];
  private capacity: number;
  /** Live slots matching a filter, by the filter's JSON; kept current by put and remove. */
  private readonly subsets = new Map<string, Subset>();

  constructor(
    readonly dims: number[],
    initialCapacity = 1024,
    private readonly read?: VectorReader,
  ) {
    this.capacity = Math.max(16, initialCapacity);
    this.columns = dims.map((d) => new ResidentColumn(d, this.capacity));
  }

  get count(): number {
    return this.idToSlot.size;
  }

  /** Slots handed out so far, live or free: searches scan [0, slotCount). */
  get slotCount(): number {
    return this.ids.length;
  }

  private grow(): void {
    this.capacity *= 2;
    for (const c of this.columns) c.ensureCapacity(this.capacity);
  }

  private readonly ridOf = (slot: number): number => this.rids[slot]!;

  /** Claims a slot for a new row; the caller fills the vectors with setVector or setVectorBlob. */
  put(rid: number, id: string, payload: Payload): number {
    this.remove(id);
    let slot = this.free.pop();
    if (slot === undefined) {
      slot = this.ids.length;
      if (slot >= this.capacity) this.grow();
      this.ids.push(undefined);
      this.payloads.push(undefined);
      this.rids.push(0);
    }
    this.ids[slot] = id;
    this.payloads[slot] = payload;
    for (const subset of this.subsets.values()) {
      if (!subset.pred(payload)) continue;
      subset.slots.add(slot);
      subset.packed = [];
    }
    this.rids[slot] = rid;
    this.idToSlot.set(id, slot);
    this.ridToSlot.set(rid, slot);
    return slot;
  }

  setVector(slot: number, v: number, values: Float32Array): void {
    this.columns[v]!.set(slot, this.rids[slot]!, values);
    this.vectorChanged(slot, v);
  }

  private vectorChanged(slot: number, v: number): void {
    for (const subset of this.subsets.values()) if (subset.slots.has(slot)) subset.packed[v] = undefined;
  }

  /** A stored BLOB, or null for a row whose vector was left on disk (see offload). */
  setVectorBlob(slot: number, v: number, blob: Buffer | null): void {
    this.columns[v]!.setBlob(slot, this.rids[slot]!, blob);
    this.vectorChanged(slot, v);
  }

  /** A copy of the row, undefined when an offloaded row was deleted by another process meanwhile. */
  vector(slot: number, v: number): Float32Array | undefined {
    return this.columns[v]!.row(slot, this.rids[slot]!);
  }

  /** Scores of live slots against a unit query; NaN where an offloaded row no longer exists. */
  scores(v: number, query: Float32Array, slots: readonly number[]): Float64Array {
    return this.columns[v]!.scores(query, slots, this.ridOf);
  }

  resident(v: number): boolean {
    return this.columns[v]!.resident;
  }

  /** Rows of vector `v` held in memory. */
  heldRows(v: number): number {
    const c = this.columns[v]!;
    return c instanceof OffloadedColumn ? c.heldRows : this.count;
  }

  /**
   * From now on vector `v` keeps in memory only rows with rowid above `rid` (the ones no index covers);
   * the others are read back from SQLite when scored. Raising `rid` later drops more.
   */
  offload(v: number, rid: number): void {
    for (const subset of this.subsets.values()) subset.packed[v] = undefined;
    const col = this.columns[v]!;
    if (col instanceof OffloadedColumn) return col.cover(rid, this.ridOf);
    const read = this.read;
    if (!read) throw new Error('offloading vectors needs a reader of the stored ones');
    const off = new OffloadedColumn(col.dim, rid, (rids) => read(v, rids));
    for (let s = 0; s < this.ids.length; s++) {
      if (this.ids[s] !== undefined) off.set(s, this.rids[s]!, col.row(s));
    }
    this.columns[v] = off;
  }

  /** Keys (rowids) and vectors of every live row of a resident vector, for an index build. */
  snapshot(v: number): { keys: BigUint64Array; vectors: Float32Array } {
    const col = this.columns[v]!;
    if (!(col instanceof ResidentColumn)) throw new Error('an offloaded vector has no snapshot in memory');
    const live = new Int32Array(this.count);
    let i = 0;
    for (let slot = 0; slot < this.ids.length; slot++) if (this.ids[slot] !== undefined) live[i++] = slot;
    return { keys: BigUint64Array.from(live, (slot) => BigInt(this.rids[slot]!)), vectors: col.gather(live) };
  }

  remove(id: string): number | undefined {
    const slot = this.idToSlot.get(id);
    if (slot === undefined) return undefined;
    for (const subset of this.subsets.values()) if (subset.slots.delete(slot)) subset.packed = [];
    for (const c of this.columns) c.clear(slot);
    this.idToSlot.delete(id);
    this.ridToSlot.delete(this.rids[slot]!);
    this.ids[slot] = undefined;
    this.payloads[slot] = undefined;
    this.free.push(slot);
    return slot;
  }

  /** Removes the point stored under rowid `rid`, if any (a row deleted or replaced elsewhere). */
  removeRid(rid: number): number | undefined {
    const slot = this.ridToSlot.get(rid);
    return slot === undefined ? undefined : this.remove(this.ids[slot]!);
  }

  /**
   * The live slots whose payload passes `pred`, cached under `key` (the filter's JSON) and kept current
   * by every put and remove. A selective filter (the vocabulary's labels: 3 % of 341k words) is then
   * searched exactly over its own slots instead of over-fetching from an ANN index built for every point.
   */
  filteredSlots(key: string, pred: Predicate): ReadonlySet<number> {
    const cached = this.subsets.get(key);
    if (cached) return cached.slots;
    const slots = new Set<number>();
    for (let s = 0, n = this.ids.length; s < n; s++) {
      const p = this.payloads[s];
      if (p && pred(p)) slots.add(s);
    }
    // Few distinct filters are expected; drop the oldest entry rather than grow without bound (each
    // cached filter is evaluated on every put).
    if (this.subsets.size >= 16) this.subsets.delete(this.subsets.keys().next().value!);
    this.subsets.set(key, { pred, slots, packed: [] });
    return slots;
  }

  /**
   * Exact top-k over the slots of a filter cached by filteredSlots(key). A resident vector is scanned
   * through a packed copy of the subset's rows (built on first use, kept until the subset changes) with
   * SIMD; the k + margin best are re-scored with `dot`, and unless the k-th is clear of every row left
   * out, the whole subset is scanned the plain way. Same answers as exactTopK, several times faster.
   */
  subsetTopK(key: string, v: number, query: Float32Array, k: number, threshold?: number): Hit[] {
    const subset = this.subsets.get(key);
    if (!subset) throw new Error(`no cached filter ${key}`);
    const col = this.columns[v]!;
    const size = subset.slots.size;
    if (!(col instanceof ResidentColumn) || size === 0 || k === 0)
      return this.exactTopK(v, query, k, undefined, threshold, subset.slots);
    const packed = (subset.packed[v] ??= this.pack(col, subset.slots));
    const taken = Math.min(size, k + PACKED_MARGIN);
    const { rows, lastScore } = exactTopRows(packed.matrix, col.dim, query, taken);
    const heap = new TopK(k);
    const min = threshold ?? -Infinity;
    for (const row of rows) {
      const slot = packed.slots[row]!;
      const score = dot(query, col.matrix, slot * col.dim);
      if (score >= min && heap.mayTake(score)) heap.offer({ slot, id: this.ids[slot]!, score });
    }
    const hits = heap.sorted();
    // A row left out scores at most lastScore (+ f32 error): it can neither beat the k-th kept nor,
    // when fewer than k pass the threshold, pass it.
    const bound = lastScore + SCORE_EPSILON;
    const settled = taken === size || (hits.length === k ? hits[k - 1]!.score > bound : min > bound);
    return settled ? hits : this.exactTopK(v, query, k, undefined, threshold, subset.slots);
  }

  private pack(
    col: ResidentColumn,
    members: ReadonlySet<number>,
  ): { matrix: Float32Array; slots: Int32Array } {
    const slots = Int32Array.from(members);
    return { matrix: col.gather(slots), slots };
  }

  /** Exact top-k over the live slots (or over `slots` when given) that pass the predicate and threshold. */
  exactTopK(
    v: number,
    query: Float32Array,
    k: number,
    pred?: Predicate,
    threshold?: number,
    slots?: Iterable<number>,
  ): Hit[] {
    const heap = new TopK(k);
    const min = threshold ?? -Infinity;
    const batch: number[] = [];
    const flush = (): void => {
      const scores = this.scores(v, query, batch);
      for (let i = 0; i < batch.length; i++) {
        const score = scores[i]!; // NaN (a row deleted elsewhere) fails both comparisons
        if (score >= min && heap.mayTake(score))
          heap.offer({ slot: batch[i]!, id: this.ids[batch[i]!]!, score });
      }
      batch.length = 0;
    };
    const visit = (slot: number): void => {
      if (this.ids[slot] === undefined) return;
      if (pred && !pred(this.payloads[slot]!)) return;
      batch.push(slot);
      if (batch.length === SCORE_BATCH) flush();
    };
    if (slots) for (const s of slots) visit(s);
    else for (let s = 0, n = this.ids.length; s < n; s++) visit(s);
    flush();
    return heap.sorted();
  }
}

/** Bounded heap keeping the best k hits; the root is the worst kept one. */
export class TopK {
  private readonly items: Hit[] = [];
  constructor(private readonly k: number) {}

  // "a is worse than b" in result order (score desc, id asc).
  private static worse(a: Hit, b: Hit): boolean {
    return compareScored(a, b) > 0;
  }

  offer(h: Hit): void {
    const items = this.items;
    if (items.length < this.k) {
      items.push(h);
      let i = items.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!TopK.worse(items[i]!, items[p]!)) break;
        [items[i], items[p]] = [items[p]!, items[i]!];
        i = p;
      }
      return;
    }
    if (this.k === 0 || !TopK.worse(items[0]!, h)) return;
    items[0] = h;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let w = i;
      if (l < items.length && TopK.worse(items[l]!, items[w]!)) w = l;
      if (r < items.length && TopK.worse(items[r]!, items[w]!)) w = r;
      if (w === i) break;
      [items[i], items[w]] = [items[w]!, items[i]!];
      i = w;
    }
  }

  /** False when a hit with this score could not be kept (it is below every kept one): no hit to build. */
  mayTake(score: number): boolean {
    return this.items.length < this.k ? true : this.k > 0 && score >= this.items[0]!.score;
  }

  sorted(): Hit[] {
    return [...this.items].sort(compareScored);
  }
}
