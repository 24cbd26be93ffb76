/**
 * Feature preprocessing learned on the training rows and baked into the exported head, so callers
 * always feed raw encoder features. Pooled CNN activations are non-negative with very uneven scales;
 * L2-normalising and centring them makes the cosine regression converge faster.
 */

export type Standardise = 'none' | 'center' | 'zscore';

export interface InputTransformOptions {
  l2: boolean;
  standardise: Standardise;
}

export interface InputTransform {
  l2: boolean;
  /** Subtracted after the optional L2 step. */
  mean?: Float32Array;
  /** Multiplied after centring. */
  scale?: Float32Array;
}

function l2(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.sqrt(s);
  return n > 0 ? v.map((x) => x / n) : new Float32Array(v);
}

export function fitInputTransform(
  rows: readonly Float32Array[],
  options: InputTransformOptions,
): InputTransform {
  const t: InputTransform = { l2: options.l2 };
  if (options.standardise === 'none' || rows.length === 0) return t;
  const d = rows[0]!.length;
  const sum = new Float64Array(d);
  const sq = new Float64Array(d);
  for (const raw of rows) {
    const v = options.l2 ? l2(raw) : raw;
    for (let i = 0; i < d; i++) {
      sum[i]! += v[i]!;
      sq[i]! += v[i]! * v[i]!;
    }
  }
  const n = rows.length;
  t.mean = Float32Array.from(sum, (s) => s / n);
  if (options.standardise === 'zscore') {
    const std = Float64Array.from(sq, (q, i) => Math.sqrt(Math.max(q / n - (sum[i]! / n) ** 2, 0)));
    // Floor at a fraction of the median std so near-constant dimensions are not blown up into noise.
    const sorted = Float64Array.from(std).sort();
    const floor = Math.max((sorted[Math.floor(d / 2)] ?? 0) * 0.1, 1e-8);
    t.scale = Float32Array.from(std, (s) => 1 / Math.max(s, floor));
  }
  return t;
}

export function applyInputTransform(t: InputTransform, raw: Float32Array): Float32Array {
  const v = t.l2 ? l2(raw) : new Float32Array(raw);
  if (t.mean) for (let i = 0; i < v.length; i++) v[i]! -= t.mean[i]!;
  if (t.scale) for (let i = 0; i < v.length; i++) v[i]! *= t.scale[i]!;
  return v;
}
