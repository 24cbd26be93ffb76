import { describe, expect, it } from 'vitest';
import { cholesky, choleskySolve, fitRidge, predictRidge } from './ridge.js';

describe('ridge', () => {
  it('solves a known SPD system with Cholesky', () => {
    // A = [[4,2],[2,3]], b = [2, 1] → x = [0.5, 0]
    const l = cholesky(Float64Array.from([4, 2, 2, 3]), 2);
    expect(Array.from(l)).toEqual([2, 0, 1, Math.SQRT2]);
    const x = choleskySolve(l, 2, Float64Array.from([2, 1]), 1);
    expect(x[0]).toBeCloseTo(0.5, 12);
    expect(x[1]).toBeCloseTo(0, 12);
  });

  it('recovers an exact linear map (with bias) when lambda is tiny', () => {
    // y = [2a - b + 1, a + 3b - 2]
    const x = [
      [0, 0],
      [1, 0],
      [0, 1],
      [2, 3],
      [-1, 4],
    ].map((r) => Float32Array.from(r));
    const y = x.map(([a, b]) => Float32Array.from([2 * a! - b! + 1, a! + 3 * b! - 2]));
    const model = fitRidge(x, y, 1e-9);
    expect(Array.from(model.weights).map((v) => Math.round(v * 1e4) / 1e4)).toEqual([2, 1, -1, 3]);
    expect(Array.from(model.bias).map((v) => Math.round(v * 1e4) / 1e4)).toEqual([1, -2]);
    const [a, b] = predictRidge(model, Float32Array.from([5, -2]));
    expect(a).toBeCloseTo(13, 3);
    expect(b).toBeCloseTo(-3, 3);
  });

  it('shrinks weights as lambda grows', () => {
    const x = [1, 2, 3, 4].map((v) => Float32Array.from([v]));
    const y = [1, 2, 3, 4].map((v) => Float32Array.from([v]));
    // Centred x has Σx² = 5, so the slope is 5 / (5 + λ).
    expect(fitRidge(x, y, 5).weights[0]).toBeCloseTo(0.5, 6);
  });
});
