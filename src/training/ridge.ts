/**
 * Closed-form ridge regression W = (XᵀX + λI)⁻¹ XᵀY with a bias column, solved by Cholesky in
 * Float64. It is the linear baseline the MLP head has to beat; D up to a few thousand is fine in JS.
 */

export interface RidgeModel {
  /** Row-major [inputDim × outputDim]. */
  weights: Float32Array;
  bias: Float32Array;
  inputDim: number;
  outputDim: number;
  lambda: number;
}

/** In-place Cholesky factorisation of a symmetric positive-definite n×n matrix (lower triangle). */
export function cholesky(a: Float64Array, n: number): Float64Array {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let k = 0; k < j; k++) d -= a[j * n + k]! ** 2;
    if (!(d > 0)) throw new Error(`matrix is not positive definite (pivot ${j} = ${d})`);
    const ljj = Math.sqrt(d);
    a[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      const ri = i * n;
      const rj = j * n;
      for (let k = 0; k < j; k++) s -= a[ri + k]! * a[rj + k]!;
      a[ri + j] = s / ljj;
    }
  }
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) a[i * n + j] = 0;
  return a;
}

/** Solves L Lᵀ X = B for X (B is n×m row-major, overwritten). */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array, m: number): Float64Array {
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) {
      const lik = l[i * n + k]!;
      if (lik !== 0) for (let c = 0; c < m; c++) b[i * m + c]! -= lik * b[k * m + c]!;
    }
    const lii = l[i * n + i]!;
    for (let c = 0; c < m; c++) b[i * m + c]! /= lii;
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) {
      const lki = l[k * n + i]!;
      if (lki !== 0) for (let c = 0; c < m; c++) b[i * m + c]! -= lki * b[k * m + c]!;
    }
    const lii = l[i * n + i]!;
    for (let c = 0; c < m; c++) b[i * m + c]! /= lii;
  }
  return b;
}

/**
 * Fits ridge regression. The bias is an extra always-one input column that is not penalised, so
 * centring the data is not required.
 */
export function fitRidge(x: readonly Float32Array[], y: readonly Float32Array[], lambda: number): RidgeModel {
  if (x.length === 0 || x.length !== y.length) throw new Error('ridge needs equal, non-zero row counts');
  const d = x[0]!.length;
  const o = y[0]!.length;
  const n = d + 1;
  const gram = new Float64Array(n * n);
  const xty = new Float64Array(n * o);
  const row = new Float64Array(n);
  for (let r = 0; r < x.length; r++) {
    const xr = x[r]!;
    const yr = y[r]!;
    for (let i = 0; i < d; i++) row[i] = xr[i]!;
    row[d] = 1;
    // Upper triangle only; mirrored below.
    for (let i = 0; i < n; i++) {
      const xi = row[i]!;
      if (xi === 0) continue;
      const gi = i * n;
      for (let j = i; j < n; j++) gram[gi + j]! += xi * row[j]!;
      const ti = i * o;
      for (let c = 0; c < o; c++) xty[ti + c]! += xi * yr[c]!;
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) gram[i * n + j] = gram[j * n + i]!;
  for (let i = 0; i < d; i++) gram[i * n + i]! += lambda;
  // A tiny ridge on the bias keeps the system positive definite when every row is zero.
  gram[d * n + d]! += 1e-9;
  const solution = choleskySolve(cholesky(gram, n), n, xty, o);
  return {
    weights: Float32Array.from(solution.subarray(0, d * o)),
    bias: Float32Array.from(solution.subarray(d * o, n * o)),
    inputDim: d,
    outputDim: o,
    lambda,
  };
}

export function predictRidge(model: RidgeModel, x: Float32Array): Float32Array {
  const { inputDim: d, outputDim: o, weights, bias } = model;
  const out = Float32Array.from(bias);
  for (let i = 0; i < d; i++) {
    const xi = x[i]!;
    if (xi === 0) continue;
    const wi = i * o;
    for (let c = 0; c < o; c++) out[c]! += xi * weights[wi + c]!;
  }
  return out;
}
