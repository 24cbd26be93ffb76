import type { Payload, Point } from '../../src/store/vector-store.js';
import { mulberry32 } from '../../src/training/random.js';
import { cosine } from '../../src/vectors.js';

/** Deterministic test data for the store contract (seeded, so failures reproduce). */

/** Seeded PRNG shared with training (mulberry32). */
export const rng = mulberry32;

export function gaussian(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
}

export function randomVector(r: () => number, dim: number): Float32Array {
  const v = new Float32Array(dim);
  for (let i = 0; i < dim; i++) v[i] = gaussian(r) * 3; // deliberately not unit length
  return v;
}

/** Vectors around `clusters` random centres: the hard case for HNSW recall. */
export function clusteredVectors(
  r: () => number,
  n: number,
  dim: number,
  clusters: number,
  spread = 0.35,
): Float32Array[] {
  const centres = Array.from({ length: clusters }, () => randomVector(r, dim));
  return Array.from({ length: n }, () => {
    const c = centres[Math.floor(r() * clusters)]!;
    const v = new Float32Array(dim);
    for (let i = 0; i < dim; i++) v[i] = c[i]! + gaussian(r) * 3 * spread;
    return v;
  });
}

/** Cosine computed directly (float64 accumulation), the reference search results are checked against. */
export const exactCosine = cosine;

export const KINDS = ['cat', 'dog', 'bird'] as const;

export function samplePoints(n: number, seed = 1): Point[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const payload: Payload = {
      kind: KINDS[i % 3]!,
      flag: i % 2 === 0,
      n: i,
      tags: i % 5 === 0 ? ['five', 'x'] : ['x'],
      weight: Math.round(r() * 1000) / 10,
    };
    return {
      id: `p${String(i).padStart(4, '0')}`,
      vectors: { semantic: randomVector(r, 8), visual: randomVector(r, 12) },
      payload,
    };
  });
}

/** Expected results: score desc, id asc, computed here without the store. */
export function expectedRanking(
  points: Point[],
  using: string,
  query: Float32Array,
  keep: (p: Point) => boolean = () => true,
): { id: string; score: number }[] {
  return points
    .filter(keep)
    .map((p) => ({ id: p.id, score: exactCosine(p.vectors[using]!, query) }))
    .sort((a, b) => (b.score !== a.score ? b.score - a.score : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
