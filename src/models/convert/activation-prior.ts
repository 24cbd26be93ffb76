/**
 * The mean a ReLU6 channel takes over the data a network was trained on, read from its BatchNorm: during
 * training BN makes each channel's pre-activation have mean β and standard deviation |γ|·√(v/(v+ε)) over
 * the training set (ImageNet here). Assuming that pre-activation is Gaussian, the mean after clipping
 * to [0, 6] has a closed form. The encoder's pooled features average the activation over positions, so
 * their training-set mean is the same number per channel. Subtracting it centres image→image cosines
 * on the model's own training distribution, not on whatever a user happens to have stored.
 */

export interface BatchNormStats {
  gamma: Float32Array;
  beta: Float32Array;
  variance: Float32Array;
  epsilon: number;
}

/** Standard normal density and distribution function (erf by Abramowitz–Stegun 7.1.26, |error| < 1.5e-7). */
function pdf(x: number): number {
  return Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI);
}

function cdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly =
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t;
  const erf = 1 - poly * Math.exp(-z * z);
  return 0.5 * (1 + (x >= 0 ? erf : -erf));
}

/** E[clip(z, 0, 6)] for z ~ N(mu, sigma²). */
export function clippedGaussianMean(mu: number, sigma: number, ceiling = 6): number {
  if (sigma <= 0) return Math.min(ceiling, Math.max(0, mu));
  const a = -mu / sigma;
  const b = (ceiling - mu) / sigma;
  return mu * (cdf(b) - cdf(a)) + sigma * (pdf(a) - pdf(b)) + ceiling * (1 - cdf(b));
}

/** Per channel, the training-set mean of ReLU6(BN(x)). */
export function relu6PriorMean(bn: BatchNormStats): Float32Array {
  return Float32Array.from(bn.beta, (beta, c) => {
    const v = bn.variance[c]!;
    const sigma = Math.abs(bn.gamma[c]!) * Math.sqrt(v / (v + bn.epsilon));
    return clippedGaussianMean(beta, sigma);
  });
}
