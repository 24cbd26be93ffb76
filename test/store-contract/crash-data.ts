import type { Point } from '../../src/store/vector-store.js';
import { randomVector, rng } from './data.js';

export const DIM = 16;
export const BATCH = 50;

/** Batch b is the same in the writer and the checker: ids b-0..b-49, vectors seeded by b. */
export function batchPoints(b: number): Point[] {
  const r = rng(1000 + b);
  return Array.from({ length: BATCH }, (_, i) => ({
    id: `b${b}-${i}`,
    vectors: { v: randomVector(r, DIM) },
    payload: { b, i },
  }));
}
