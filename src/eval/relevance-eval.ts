import { queryWordsOf, type Photo } from './photo-eval.js';
import { averagePrecision, scoreRows, topK, vectorMatrix, type VectorMatrix } from './ranking.js';

/**
 * Relevance on the held-out photo set: how cosines of relevant and irrelevant pairs are distributed, a
 * calibrated cut-off fitted on one half of the photos and judged on the other, image→image precision and
 * the hubness of the collection. A (word, photo) pair is relevant when the word is one of the photo's
 * accepted words; a (photo, photo) pair when the two share an accepted word.
 */

export interface Halves<T> {
  /** Fits cut-offs and chooses between variants. */
  calibration: T[];
  /** Reported, never looked at while fitting. */
  test: T[];
}

/** Alternate photos in manifest order (which groups them by kind), so both halves hold every kind. */
export function splitHalves<T>(items: readonly T[]): Halves<T> {
  return {
    calibration: items.filter((_, i) => i % 2 === 0),
    test: items.filter((_, i) => i % 2 === 1),
  };
}

export interface ScorePairs {
  relevant: number[];
  irrelevant: number[];
}

export interface EmbeddedPhoto {
  photo: Photo;
  /** Unit vector in word space (the head's output). */
  semantic: Float32Array;
  /** Unit image→image vector (what the store keeps as `visual`). */
  visual: Float32Array;
}

function shareWord(a: Photo, b: Photo): boolean {
  return a.words.some((w) => b.words.includes(w));
}

/** Every (query word, photo) cosine, split by relevance. */
export function textPairs(
  photos: readonly EmbeddedPhoto[],
  vectorOf: (w: string) => Float32Array | undefined,
): ScorePairs {
  const images = vectorMatrix(photos.map((p, i) => ({ key: String(i), vector: p.semantic })));
  const pairs: ScorePairs = { relevant: [], irrelevant: [] };
  for (const word of queryWordsOf(
    photos.map((p) => p.photo),
    vectorOf,
  )) {
    const scores = scoreRows(vectorOf(word)!, images);
    photos.forEach((p, i) =>
      (p.photo.words.includes(word) ? pairs.relevant : pairs.irrelevant).push(scores[i]!),
    );
  }
  return pairs;
}

/** Every unordered (photo, photo) visual cosine, split by relevance. */
export function imagePairs<P extends EmbeddedPhoto>(
  photos: readonly P[],
  vectorOf: (p: P) => Float32Array = (p) => p.visual,
): ScorePairs {
  const m = vectorMatrix(photos.map((p, i) => ({ key: String(i), vector: vectorOf(p) })));
  const pairs: ScorePairs = { relevant: [], irrelevant: [] };
  photos.forEach((a, i) => {
    const scores = scoreRows(vectorOf(a), m);
    for (let j = i + 1; j < photos.length; j++)
      (shareWord(a.photo, photos[j]!.photo) ? pairs.relevant : pairs.irrelevant).push(scores[j]!);
  });
  return pairs;
}

export interface Distribution {
  n: number;
  mean: number;
  p10: number;
  p50: number;
  p90: number;
}

export function distribution(scores: readonly number[]): Distribution {
  const sorted = [...scores].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const mean = sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1);
  return { n: sorted.length, mean, p10: at(0.1), p50: at(0.5), p90: at(0.9) };
}

export interface CutOffQuality {
  /** Of the pairs at or above the cut-off, the share that is relevant. */
  precision: number;
  /** Of the relevant pairs, the share at or above the cut-off. */
  recall: number;
  f1: number;
  /** F2: recall weighs twice as much as precision. */
  f2: number;
}

export function cutOffQuality(pairs: ScorePairs, minScore: number): CutOffQuality {
  const tp = pairs.relevant.filter((s) => s >= minScore).length;
  const fp = pairs.irrelevant.filter((s) => s >= minScore).length;
  const precision = tp + fp ? tp / (tp + fp) : 1;
  const recall = pairs.relevant.length ? tp / pairs.relevant.length : 0;
  const f = (beta: number) =>
    precision + recall ? ((1 + beta ** 2) * precision * recall) / (beta ** 2 * precision + recall) : 0;
  return { precision, recall, f1: f(1), f2: f(2) };
}

/** P(relevant | cosine) = 1 / (1 + exp(−(slope · cosine + intercept))). */
export interface Logistic {
  slope: number;
  intercept: number;
}

export interface SpaceCalibration {
  /**
   * The default cut-off: the cosine that maximises F1 over the calibration pairs (measured against F2,
   * which kept 71 % of relevant photos at 22 % precision: lists that rarely end). What lies below stays
   * one `minScore` away.
   */
  minScore: number;
  logistic: Logistic;
  pairs: { relevant: number; irrelevant: number };
}

/** Round for a committed file: three decimals of a cosine are well inside the measurement's noise. */
const round = (x: number, digits = 3) => Number(x.toFixed(digits));

/** Cut-off (max F1) and logistic (Platt scaling by Newton's method) fitted on calibration pairs. */
export function fitCalibration(pairs: ScorePairs): SpaceCalibration {
  if (!pairs.relevant.length || !pairs.irrelevant.length)
    throw new Error('calibration needs relevant and irrelevant pairs');
  let best = { minScore: 0, f1: -1 };
  for (const s of new Set(pairs.relevant)) {
    const { f1 } = cutOffQuality(pairs, s);
    if (f1 > best.f1 || (f1 === best.f1 && s > best.minScore)) best = { minScore: s, f1 };
  }
  return {
    minScore: round(best.minScore),
    logistic: fitLogistic(pairs),
    pairs: { relevant: pairs.relevant.length, irrelevant: pairs.irrelevant.length },
  };
}

function fitLogistic(pairs: ScorePairs): Logistic {
  const xs = [...pairs.relevant, ...pairs.irrelevant];
  const ys = [...pairs.relevant.map(() => 1), ...pairs.irrelevant.map(() => 0)];
  let a = 0;
  let b = 0;
  for (let iter = 0; iter < 50; iter++) {
    let ga = 0;
    let gb = 0;
    let haa = 0;
    let hab = 0;
    let hbb = 0;
    xs.forEach((x, i) => {
      const p = 1 / (1 + Math.exp(-(a * x + b)));
      const w = p * (1 - p);
      ga += (ys[i]! - p) * x;
      gb += ys[i]! - p;
      haa += w * x * x;
      hab += w * x;
      hbb += w;
    });
    const det = haa * hbb - hab * hab;
    if (!(det > 1e-12)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a += da;
    b += db;
    if (Math.abs(da) + Math.abs(db) < 1e-9) break;
  }
  return { slope: round(a, 2), intercept: round(b, 2) };
}

/** Mean over photos that have a related photo: the share of its 5 nearest (itself excluded) that are related. */
export function similarPrecisionAt5<P extends EmbeddedPhoto>(
  photos: readonly P[],
  vectorOf: (p: P) => Float32Array = (p) => p.visual,
): { queries: number; precisionAt5: number } {
  const m = vectorMatrix(photos.map((p, i) => ({ key: String(i), vector: vectorOf(p) })));
  let queries = 0;
  let sum = 0;
  photos.forEach((q, i) => {
    const related = photos.map((p, j) => j !== i && shareWord(q.photo, p.photo));
    if (!related.some(Boolean)) return;
    const scores = scoreRows(vectorOf(q), m);
    scores[i] = -Infinity;
    queries++;
    sum += topK(scores, 5).filter((j) => related[j]).length / 5;
  });
  return { queries, precisionAt5: queries ? sum / queries : 0 };
}

/** Words → images over the photos: precision@5 (of min(5, relevant)) and mean average precision. */
export function wordsToImages(
  photos: readonly EmbeddedPhoto[],
  vectorOf: (w: string) => Float32Array | undefined,
  rescore: (scores: Float32Array) => Float32Array = (s) => s,
): { queries: number; precisionAt5: number; meanAveragePrecision: number } {
  const images = vectorMatrix(photos.map((p, i) => ({ key: String(i), vector: p.semantic })));
  const words = queryWordsOf(
    photos.map((p) => p.photo),
    vectorOf,
  );
  let p5 = 0;
  let ap = 0;
  for (const word of words) {
    const scores = rescore(scoreRows(vectorOf(word)!, images));
    const relevant = photos.map((p) => p.photo.words.includes(word));
    const total = relevant.filter(Boolean).length;
    p5 += topK(scores, 5).filter((i) => relevant[i]).length / Math.min(5, total);
    ap += averagePrecision(scores, relevant);
  }
  const n = words.length || 1;
  return { queries: words.length, precisionAt5: p5 / n, meanAveragePrecision: ap / n };
}

export interface Hubness {
  /** Skewness of N10: how often each image is among the 10 nearest of a label word. 0 = no hubs. */
  skew: number;
  /** The largest N10 over the mean N10 (1 = every image equally often). */
  maxOverMean: number;
}

/** k-occurrence skew with every label word as a query (Radovanović et al., 2010). */
export function hubness(
  labels: VectorMatrix,
  images: readonly Float32Array[],
  rescore: (scores: Float32Array) => Float32Array = (s) => s,
  k = 10,
): Hubness {
  const m = vectorMatrix(images.map((v, i) => ({ key: String(i), vector: v })));
  const counts = new Array<number>(images.length).fill(0);
  const d = labels.dimension;
  for (let r = 0; r < labels.keys.length; r++) {
    const scores = rescore(scoreRows(labels.data.subarray(r * d, (r + 1) * d), m));
    for (const i of topK(scores, k)) counts[i]!++;
  }
  const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
  const sd = Math.sqrt(counts.reduce((a, c) => a + (c - mean) ** 2, 0) / counts.length) || 1;
  const skew = counts.reduce((a, c) => a + ((c - mean) / sd) ** 3, 0) / counts.length;
  return { skew, maxOverMean: Math.max(...counts) / (mean || 1) };
}

/**
 * CSLS (Conneau et al., 2018) for a word query over images: 2·cos − r(image), r = the image's mean cosine
 * to its k nearest label words. It lowers images that are near everything.
 */
export function cslsRescorer(labels: VectorMatrix, images: readonly Float32Array[], k = 10) {
  const r = images.map((v) => {
    const s = scoreRows(v, labels);
    return topK(s, k).reduce((a, i) => a + s[i]!, 0) / k;
  });
  return (scores: Float32Array) => scores.map((s, i) => 2 * s - r[i]!);
}
