import { describe, expect, it } from 'vitest';
import { forwardDense, type DenseStack } from './dense-stack.js';
import { chooseGamma, deshrink, outputSpread } from './deshrink.js';

const stack: DenseStack = {
  alpha: 0.2,
  layers: [
    {
      inDim: 2,
      outDim: 2,
      activation: 'leaky-relu',
      weights: Float32Array.from([1, -1, 0.5, 2]),
      bias: Float32Array.from([0, 0.1]),
    },
    {
      inDim: 2,
      outDim: 2,
      activation: 'linear',
      weights: Float32Array.from([0.3, 0.2, -0.4, 1]),
      bias: Float32Array.from([0.05, -0.2]),
    },
  ],
};
const mu = Float32Array.from([0.6, 0.8]);

describe('deshrink', () => {
  it('folds out′ = μ + γ(out − μ) into the last layer', () => {
    const x = Float32Array.from([0.7, -0.3]);
    const out = forwardDense(stack, x);
    const folded = forwardDense(deshrink(stack, mu, 3), x);
    folded.forEach((v, i) => expect(v).toBeCloseTo(mu[i]! + 3 * (out[i]! - mu[i]!), 5));
  });

  it('with a measured spread, centres on the mean output and matches the targets’ spread', () => {
    const xs = [Float32Array.from([1, 0]), Float32Array.from([0, 1]), Float32Array.from([-1, 0.5])];
    const outs = xs.map((x) => forwardDense(stack, x));
    const targets = [Float32Array.from([1, 0]), Float32Array.from([0, 1]), Float32Array.from([0.6, 0.8])];
    const spread = outputSpread(outs, targets);
    const fixed = deshrink(stack, mu, 1, spread);
    const after = outputSpread(
      xs.map((x) => forwardDense(fixed, x)),
      targets,
    );
    expect(after.outputRms).toBeCloseTo(spread.targetRms, 5);
    after.meanOutput.forEach((v, i) => expect(v).toBeCloseTo(mu[i]!, 5));
  });

  it('picks the γ with the best validation hit@5 (smaller on ties)', () => {
    const result = chooseGamma(stack, mu, [1, 2], { predict: () => [mu], concepts: ['a'] }, () => mu);
    expect(result).toEqual({ gamma: 1, valHitAt5: { '1': 1, '2': 1 } });
  });
});
