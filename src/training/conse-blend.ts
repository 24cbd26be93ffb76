import { normalize } from '../vectors.js';

/**
 * ConSE blend (Norouzi et al., "Zero-shot learning by convex combination of semantic embeddings"): the
 * head's unit output p is scored against the training classes' word vectors, and the softmax-weighted
 * mean of those vectors is added to p:
 *   out = p + weight · unit(softmax(p·Lᵀ / temperature) · L)
 * A regression head's raw output lies off the manifold of real word vectors; the convex combination
 * pulls it onto the words the head knows, while p keeps the direction towards words it never saw.
 * It is folded into the exported ONNX graph (MatMul, Softmax, MatMul), so serving needs nothing extra.
 */
export interface ConseBlend {
  /** Row-major [classes × dimension] unit word vectors of the training classes. */
  classVectors: Float32Array;
  classes: number;
  dimension: number;
  temperature: number;
  weight: number;
}

export interface ConseBlendOptions {
  temperature: number;
  weight: number;
}

/** The blend over the distinct rows of `vectors` (one per training class). */
export function conseBlendOf(vectors: readonly Float32Array[], options: ConseBlendOptions): ConseBlend {
  if (!(options.temperature > 0)) throw new Error('ConSE temperature must be positive');
  const seen = new Set<string>();
  const rows: Float32Array[] = [];
  for (const v of vectors) {
    const key = v.join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    rows.push(normalize(v));
  }
  const dimension = rows[0]?.length ?? 0;
  if (rows.length < 2) throw new Error('ConSE blend needs at least two classes');
  const classVectors = new Float32Array(rows.length * dimension);
  rows.forEach((r, i) => classVectors.set(r, i * dimension));
  return { classVectors, classes: rows.length, dimension, ...options };
}

/** Reference implementation of the blend (what the ONNX graph computes), in float64. */
export function applyConseBlend(blend: ConseBlend, prediction: Float32Array): Float32Array {
  const { classVectors: L, classes, dimension: d } = blend;
  const p = normalize(prediction);
  const logits = new Float64Array(classes);
  let max = -Infinity;
  for (let c = 0; c < classes; c++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += p[j]! * L[c * d + j]!;
    logits[c] = s / blend.temperature;
    max = Math.max(max, logits[c]!);
  }
  let z = 0;
  for (let c = 0; c < classes; c++) z += logits[c] = Math.exp(logits[c]! - max);
  const mix = new Float32Array(d);
  for (let c = 0; c < classes; c++) {
    const w = logits[c]! / z;
    for (let j = 0; j < d; j++) mix[j]! += w * L[c * d + j]!;
  }
  const m = normalize(mix);
  return p.map((x, j) => x + blend.weight * m[j]!);
}
