import { cosine } from '../vectors.js';
import type { DenseStack } from './dense-stack.js';

/**
 * Regression heads shrink their outputs towards the mean target (ridge by design, the MLP through
 * early stopping on a cosine loss), so every image's nearest labels drift to the same "hub" words near
 * that mean. De-shrinking re-expands the output around the mean target: out' = μ + γ·(out − μ). It is
 * linear, so it folds into the last layer (W' = γW, b' = γb + (1 − γ)μ) and the exported graph is
 * unchanged. γ is chosen on the validation concepts. For the MLP, whose output scale is arbitrary (the
 * cosine loss ignores it), the spread variant centres on the mean output and rescales to the targets.
 */
export function meanVector(rows: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(rows[0]?.length ?? 0);
  for (const r of rows) for (let i = 0; i < out.length; i++) out[i]! += r[i]!;
  for (let i = 0; i < out.length; i++) out[i]! /= Math.max(rows.length, 1);
  return out;
}

export function deshrink(
  stack: DenseStack,
  meanTarget: Float32Array,
  gamma: number,
  spread?: OutputSpread,
): DenseStack {
  const layers = stack.layers.slice();
  const last = layers.at(-1);
  if (!last) return stack;
  // With a measured spread: out' = μ_t + k·(out − m_out), k = γ·σ_t/σ_out, so γ = 1 matches the
  // targets' spread whatever scale the head's outputs have (a cosine-trained MLP's scale is arbitrary).
  const k = spread ? (gamma * spread.targetRms) / Math.max(spread.outputRms, 1e-12) : gamma;
  const centre = spread?.meanOutput ?? meanTarget;
  layers[layers.length - 1] = {
    ...last,
    weights: last.weights.map((w) => w * k),
    bias: last.bias.map((b, i) => k * (b - centre[i]!) + meanTarget[i]!),
  };
  return { ...stack, layers };
}

/** Mean head output and RMS distances from the means, measured on training rows. */
export interface OutputSpread {
  meanOutput: Float32Array;
  outputRms: number;
  targetRms: number;
}

export function outputSpread(
  outputs: readonly Float32Array[],
  targets: readonly Float32Array[],
): OutputSpread {
  const meanOutput = meanVector(outputs);
  const meanTarget = meanVector(targets);
  const rms = (rows: readonly Float32Array[], m: Float32Array) => {
    let s = 0;
    for (const r of rows) for (let i = 0; i < m.length; i++) s += (r[i]! - m[i]!) ** 2;
    return Math.sqrt(s / Math.max(rows.length, 1));
  };
  return { meanOutput, outputRms: rms(outputs, meanOutput), targetRms: rms(targets, meanTarget) };
}

/**
 * Picks γ by hit@5 of the validation images among the validation concepts, or among `candidates`
 * when given (validation by images: every seen concept competes), ties → smaller γ.
 * `predict` maps a feature row to the head's raw output for a given stack.
 */
export function chooseGamma(
  stack: DenseStack,
  meanTarget: Float32Array,
  gammas: readonly number[],
  val: {
    predict: (stack: DenseStack) => Float32Array[];
    concepts: readonly string[];
    candidates?: readonly string[];
  },
  targetOf: (concept: string) => Float32Array | undefined,
  spread?: OutputSpread,
): { gamma: number; valHitAt5: Record<string, number> } {
  const conceptList = [...new Set([...(val.candidates ?? []), ...val.concepts])].filter((c) => targetOf(c));
  const targets = conceptList.map((c) => targetOf(c)!);
  const scored: Record<string, number> = {};
  let best = { gamma: 1, hit: -1 };
  for (const gamma of gammas) {
    const predictions = val.predict(deshrink(stack, meanTarget, gamma, spread));
    let hits = 0;
    let n = 0;
    predictions.forEach((p, i) => {
      const truth = conceptList.indexOf(val.concepts[i]!);
      if (truth < 0) return;
      const cos = targets.map((t) => cosine(p, t));
      const rank = cos.filter((c, j) => j !== truth && c >= cos[truth]!).length + 1;
      if (rank <= 5) hits++;
      n++;
    });
    const hit = n ? hits / n : 0;
    scored[String(gamma)] = hit;
    if (hit > best.hit) best = { gamma, hit };
  }
  return { gamma: best.gamma, valHitAt5: scored };
}
