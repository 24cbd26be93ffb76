import { compareScored } from '../validate.js';
import type { Payload } from '../vector-store.js';
import type { Predicate } from './filter.js';

/**
 * The in-memory mirror of one collection, for searching: per named vector one contiguous Float32Array
 * of unit-length rows, so cosine is a dot product. Slots of deleted points are reused.
 */

export interface Hit {
  slot: number;
  id: string;
  score: number;
}

export class MemoryCollection {
  readonly matrices: Float32Array[];
  ids: (string | undefined)[] = [];
  payloads: (Payload | undefined)[] = [];
  rids: number[] = [];
  readonly idToSlot = new Map<string, number>();
  readonly ridToSlot = new Map<number, number>();
  private free: number[] = [];
  private capacity: number;
  /** Live slots matching a filter, by the filter's JSON; kept current by put and remove. */
  private readonly subsets = new Map<string, { pred: Predicate; slots: Set<number> }>();

  constructor(
    readonly dims: number[],
    initialCapacity = 1024,
  ) {
    this.capacity = Math.max(16, initialCapacity);
    this.matrices = dims.map((d) => new Float32Array(this.capacity * d));
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
    for (let i = 0; i < this.matrices.length; i++) {
      const next = new Float32Array(this.capacity * this.dims[i]!);
      next.set(this.matrices[i]!);
      this.matrices[i] = next;
    }
  }

  /** Claims a slot for a new row; the caller fills the vectors with setVector or vectorRow. */
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
    for (const subset of this.subsets.values()) if (subset.pred(payload)) subset.slots.add(slot);
    this.rids[slot] = rid;
    this.idToSlot.set(id, slot);
    this.ridToSlot.set(rid, slot);
    return slot;
  }

  setVector(slot: number, v: number, values: Float32Array): void {
    this.matrices[v]!.set(values, slot * this.dims[v]!);
  }

  vector(slot: number, v: number): Float32Array {
    const d = this.dims[v]!;
    return this.matrices[v]!.slice(slot * d, (slot + 1) * d);
  }

  remove(id: string): number | undefined {
    const slot = this.idToSlot.get(id);
    if (slot === undefined) return undefined;
    for (const subset of this.subsets.values()) subset.slots.delete(slot);
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

  score(slot: number, v: number, query: Float32Array): number {
    const m = this.matrices[v]!;
    const d = this.dims[v]!;
    const base = slot * d;
    let s = 0;
    for (let i = 0; i < d; i++) s += query[i]! * m[base + i]!;
    return s;
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
    this.subsets.set(key, { pred, slots });
    return slots;
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
    const visit = (slot: number): void => {
      const id = this.ids[slot];
      if (id === undefined) return;
      if (pred && !pred(this.payloads[slot]!)) return;
      const score = this.score(slot, v, query);
      if (score >= min) heap.offer({ slot, id, score });
    };
    if (slots) for (const s of slots) visit(s);
    else for (let s = 0, n = this.ids.length; s < n; s++) visit(s);
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

  sorted(): Hit[] {
    return [...this.items].sort(compareScored);
  }
}
