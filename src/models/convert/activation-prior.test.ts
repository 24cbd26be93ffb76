import { describe, expect, it } from 'vitest';
import { clippedGaussianMean, relu6PriorMean } from './activation-prior.js';

/** Monte Carlo E[clip(z, 0, 6)] with a seeded (mulberry32) Box–Muller generator: an independent check. */
function sampledMean(mu: number, sigma: number, n = 200_000): number {
  let seed = 12345;
  const uniform = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967297;
  };
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const z = mu + sigma * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    sum += Math.min(6, Math.max(0, z));
  }
  return sum / n;
}

describe('clippedGaussianMean', () => {
  it('matches sampling across the clip range', () => {
    for (const [mu, sigma] of [
      [0, 1],
      [-2, 0.5],
      [3, 2],
      [7, 1],
      [-0.5, 3],
    ] as const) {
      expect(clippedGaussianMean(mu, sigma)).toBeCloseTo(sampledMean(mu, sigma), 2);
    }
  });

  it('is the clipped value itself without spread', () => {
    expect(clippedGaussianMean(-1, 0)).toBe(0);
    expect(clippedGaussianMean(2.5, 0)).toBe(2.5);
    expect(clippedGaussianMean(9, 0)).toBe(6);
  });

  it('reads per-channel BatchNorm statistics (|gamma|, with epsilon)', () => {
    const m = relu6PriorMean({
      gamma: Float32Array.of(1, -1),
      beta: Float32Array.of(0, 0),
      variance: Float32Array.of(1, 1),
      epsilon: 0,
    });
    // E[max(0, z)] for a standard normal is 1/sqrt(2π) (the ceiling at 6 is negligible).
    expect(m[0]).toBeCloseTo(1 / Math.sqrt(2 * Math.PI), 5);
    expect(m[1]).toBeCloseTo(m[0]!, 6);
  });
});
