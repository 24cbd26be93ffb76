/** Ranking primitives over unit vectors (cosine = dot product). */

export interface VectorMatrix {
  keys: string[];
  /** Row-major [keys.length × dimension], rows L2-normalised. */
  data: Float32Array;
  dimension: number;
}

export function vectorMatrix(entries: readonly { key: string; vector: Float32Array }[]): VectorMatrix {
  const dimension = entries[0]?.vector.length ?? 0;
  const data = new Float32Array(entries.length * dimension);
  entries.forEach((e, i) => {
    let n = 0;
    for (const v of e.vector) n += v * v;
    n = Math.sqrt(n) || 1;
    for (let j = 0; j < dimension; j++) data[i * dimension + j] = e.vector[j]! / n;
  });
  return { keys: entries.map((e) => e.key), data, dimension };
}

/** Cosine of a query against every row (the query is normalised here). */
export function scoreRows(query: Float32Array, m: VectorMatrix): Float32Array {
  let n = 0;
  for (const v of query) n += v * v;
  n = Math.sqrt(n) || 1;
  const out = new Float32Array(m.keys.length);
  const d = m.dimension;
  for (let r = 0; r < out.length; r++) {
    let s = 0;
    const o = r * d;
    for (let j = 0; j < d; j++) s += query[j]! * m.data[o + j]!;
    out[r] = s / n;
  }
  return out;
}

/** 1-based rank of the best-scoring row among `targets`; ties rank behind (pessimistic). */
export function bestRank(scores: Float32Array, targets: readonly number[]): number {
  let best = Infinity;
  for (const t of targets) {
    const s = scores[t]!;
    let rank = 1;
    for (let i = 0; i < scores.length; i++) if (i !== t && scores[i]! >= s) rank++;
    best = Math.min(best, rank);
  }
  return best;
}

/** Indices of the k highest scores, best first (index order breaks ties). */
export function topK(scores: Float32Array, k: number): number[] {
  const idx = Array.from(scores.keys());
  idx.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return idx.slice(0, k);
}

/** Average precision of a ranking by score, relevant[i] marking the relevant items. */
export function averagePrecision(scores: Float32Array, relevant: readonly boolean[]): number {
  const order = topK(scores, scores.length);
  const total = relevant.filter(Boolean).length;
  if (total === 0) return 0;
  let hits = 0;
  let sum = 0;
  order.forEach((i, r) => {
    if (relevant[i]) sum += ++hits / (r + 1);
  });
  return sum / total;
}

export function recallAtK(scores: Float32Array, relevant: readonly boolean[], k: number): number {
  const total = relevant.filter(Boolean).length;
  if (total === 0) return 0;
  return topK(scores, k).filter((i) => relevant[i]).length / total;
}
