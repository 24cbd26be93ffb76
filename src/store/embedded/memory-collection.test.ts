import { describe, expect, it } from 'vitest';
import { normalize } from '../../vectors.js';
import { compileFilter } from './filter.js';
import { MemoryCollection } from './memory-collection.js';

const DIM = 24;
const LABELS = { must: [{ key: 'label', match: true }] };
const KEY = JSON.stringify(LABELS);
const pred = compileFilter(LABELS)!;

function vector(seed: number): Float32Array {
  return normalize(
    Float32Array.from({ length: DIM }, (_, k) => (Math.sin(seed * 12.9898 + k * 78.233) * 43758.5453) % 1),
  );
}

/**
 * n rows, every third a label; rows from `tieFrom` on share one vector (ties at any boundary), and their
 * ids sort in the reverse of their slot order, so the scan's own order cannot settle the ties.
 */
function collection(n: number, tieFrom = Infinity): MemoryCollection {
  const mem = new MemoryCollection([DIM]);
  for (let i = 0; i < n; i++) {
    const id = i >= tieFrom ? `t${String(n - i).padStart(4, '0')}` : `w${String(i).padStart(4, '0')}`;
    const slot = mem.put(i + 1, id, { label: i % 3 === 0 });
    mem.setVector(slot, 0, i >= tieFrom ? vector(-1) : vector(i));
  }
  return mem;
}

const plain = (mem: MemoryCollection, q: Float32Array, k: number, threshold?: number) =>
  mem.exactTopK(0, q, k, pred, threshold);
const packed = (mem: MemoryCollection, q: Float32Array, k: number, threshold?: number) => {
  mem.filteredSlots(KEY, pred);
  return mem.subsetTopK(KEY, 0, q, k, threshold);
};

describe('MemoryCollection.subsetTopK (packed SIMD scan of a cached filter)', () => {
  it('returns exactly what the plain scan returns: same ids, order and scores', () => {
    const mem = collection(900);
    for (let s = 0; s < 40; s++) {
      const q = vector(10_000 + s);
      for (const k of [1, 10, 50, 400]) expect(packed(mem, q, k)).toEqual(plain(mem, q, k));
      expect(packed(mem, q, 20, 0.2)).toEqual(plain(mem, q, 20, 0.2));
    }
  });

  it('settles ties past its margin with the plain scan (ids ascending among equal scores)', () => {
    // 90 labels share one vector: more than k + margin tie at the boundary.
    const mem = collection(600, 330);
    const q = vector(-1);
    const got = packed(mem, q, 10);
    expect(got).toEqual(plain(mem, q, 10));
    expect(got.map((h) => h.id)).toEqual([...got.map((h) => h.id)].sort());
  });

  it('follows puts, removes and vector changes of the subset', () => {
    const mem = collection(300);
    const q = vector(77);
    const before = packed(mem, q, 5);
    // A new label equal to the query comes first; removing it restores the previous answer.
    const slot = mem.put(1000, 'new', { label: true });
    mem.setVector(slot, 0, q);
    expect(packed(mem, q, 5)[0]!.id).toBe('new');
    mem.remove('new');
    expect(packed(mem, q, 5)).toEqual(before);
    // A member's vector changed in place moves it to the top, even from the bottom of the ranking.
    const moved = plain(mem, q, 100).at(-1)!;
    mem.setVector(moved.slot, 0, q);
    expect(packed(mem, q, 5)[0]!.id).toBe(moved.id);
    // A point that stops being a label leaves the subset.
    mem.put(mem.rids[moved.slot]! + 5000, moved.id, { label: false });
    expect(packed(mem, q, 5).map((h) => h.id)).not.toContain(moved.id);
    expect(packed(mem, q, 5)).toEqual(plain(mem, q, 5));
  });

  it('answers an empty subset and k = 0 with nothing', () => {
    const mem = new MemoryCollection([DIM]);
    const slot = mem.put(1, 'a', { label: false });
    mem.setVector(slot, 0, vector(1));
    expect(packed(mem, vector(2), 5)).toEqual([]);
    expect(packed(collection(30), vector(2), 0)).toEqual([]);
  });
});
