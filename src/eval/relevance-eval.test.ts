import { describe, expect, it } from 'vitest';
import { cutOffQuality, distribution, fitCalibration, hubness, splitHalves } from './relevance-eval.js';
import { vectorMatrix } from './ranking.js';

describe('relevance calibration', () => {
  const pairs = {
    relevant: [0.9, 0.8, 0.7, 0.65, 0.3],
    irrelevant: [0.6, 0.5, 0.4, 0.35, 0.3, 0.2, 0.1, 0.05, 0.0, -0.1],
  };

  it('fits the F1-maximising cut-off and a logistic that rises with the score', () => {
    const c = fitCalibration(pairs);
    // At 0.65: 4 relevant and 0 irrelevant above, F1 = 8/9; nothing does better.
    expect(c.minScore).toBe(0.65);
    expect(cutOffQuality(pairs, c.minScore)).toMatchObject({ precision: 1, recall: 0.8 });
    expect(c.logistic.slope).toBeGreaterThan(0);
    const p = (x: number) => 1 / (1 + Math.exp(-(c.logistic.slope * x + c.logistic.intercept)));
    expect(p(0.9)).toBeGreaterThan(0.5);
    expect(p(0.1)).toBeLessThan(0.2);
    expect(c.pairs).toEqual({ relevant: 5, irrelevant: 10 });
  });

  it('refuses pairs of one kind only', () => {
    expect(() => fitCalibration({ relevant: [0.5], irrelevant: [] })).toThrow(/relevant and irrelevant/);
  });

  it('summarises distributions and splits halves alternately', () => {
    expect(distribution([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toMatchObject({ n: 10, mean: 5.5, p50: 6 });
    expect(splitHalves([0, 1, 2, 3, 4])).toEqual({ calibration: [0, 2, 4], test: [1, 3] });
  });
});

describe('hubness', () => {
  it('is high when one image is near every query, and low when queries spread', () => {
    const labels = vectorMatrix(
      Array.from({ length: 8 }, (_, i) => ({
        key: String(i),
        vector: Float32Array.of(Math.cos(i), Math.sin(i), 1),
      })),
    );
    const hub = Float32Array.of(0, 0, 1);
    const others = Array.from({ length: 6 }, (_, i) =>
      Float32Array.of(Math.cos(i * 2), Math.sin(i * 2), -0.5),
    );
    const skewed = hubness(labels, [hub, ...others], (s) => s, 1);
    expect(skewed.maxOverMean).toBeCloseTo(7, 5);
    const spread = hubness(labels, others, (s) => s, 1);
    expect(spread.maxOverMean).toBeLessThan(skewed.maxOverMean);
  });
});
