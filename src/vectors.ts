/** Vectors are Float32Arrays, L2-normalised once where they are made; cosine is a dot product after that. */

export function dot(a: Float32Array, b: Float32Array, bOffset = 0): number {
  let s = 0;
  const n = a.length;
  for (let i = 0; i < n; i++) s += a[i]! * b[bOffset + i]!;
  return s;
}

export function norm(a: Float32Array): number {
  return Math.sqrt(dot(a, a));
}

/** Returns a new unit-length copy; a zero vector stays zero. */
export function normalize(a: Float32Array): Float32Array {
  const out = new Float32Array(a);
  normalizeInPlace(out);
  return out;
}

export function normalizeInPlace(a: Float32Array): Float32Array {
  const n = norm(a);
  if (n > 0) for (let i = 0; i < a.length; i++) a[i]! /= n;
  return a;
}

export function mean(vectors: readonly Float32Array[]): Float32Array {
  if (vectors.length === 0) throw new Error('mean of no vectors');
  const out = new Float32Array(vectors[0]!.length);
  for (const v of vectors) for (let i = 0; i < out.length; i++) out[i]! += v[i]!;
  for (let i = 0; i < out.length; i++) out[i]! /= vectors.length;
  return out;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  const na = norm(a);
  const nb = norm(b);
  return na === 0 || nb === 0 ? 0 : dot(a, b) / (na * nb);
}

/** A stored cosine as users see it: float error can push a unit-vector dot product past ±1. */
export function clampCosine(score: number): number {
  return Math.min(1, Math.max(-1, score));
}
