import type { Weight } from './tfjs-artifacts.js';

/**
 * Pure helpers for the Keras→ONNX converter: TF padding arithmetic, kernel layout transposes and
 * BatchNorm folding. Keras tensors are NHWC with HWIO kernels; the ONNX graph is NCHW with OIHW.
 */

/** [top, left, bottom, right], the ONNX `pads` order for 2-D ops. */
export type Pads2D = [number, number, number, number];

export interface ConvSpec {
  input: string;
  /** OIHW (O = output channels, I = input channels per group). */
  weight: Float32Array;
  weightDims: [number, number, number, number];
  bias: Float32Array | null;
  group: number;
  strides: [number, number];
  dilations: [number, number];
  pads: Pads2D;
  hint: string;
}

/** TF's padding: 'same' puts the odd pixel at the bottom/right, unlike ONNX SAME_LOWER and symmetric guesses. */
export function tfPadding(
  mode: string,
  inH: number,
  inW: number,
  kernel: [number, number],
  strides: [number, number],
  dilations: [number, number] = [1, 1],
): { pads: Pads2D; outH: number; outW: number } {
  const effH = (kernel[0] - 1) * dilations[0] + 1;
  const effW = (kernel[1] - 1) * dilations[1] + 1;
  if (mode === 'valid') {
    return {
      pads: [0, 0, 0, 0],
      outH: Math.floor((inH - effH) / strides[0]) + 1,
      outW: Math.floor((inW - effW) / strides[1]) + 1,
    };
  }
  if (mode !== 'same') throw new Error(`unsupported padding mode ${mode}`);
  const outH = Math.ceil(inH / strides[0]);
  const outW = Math.ceil(inW / strides[1]);
  const totH = Math.max((outH - 1) * strides[0] + effH - inH, 0);
  const totW = Math.max((outW - 1) * strides[1] + effW - inW, 0);
  const top = Math.floor(totH / 2);
  const left = Math.floor(totW / 2);
  return { pads: [top, left, totH - top, totW - left], outH, outW };
}

/** Keras Conv2D kernel [kh, kw, cin, cout] → ONNX [cout, cin, kh, kw]. */
export function convKernelToOihw(w: Weight): { data: Float32Array; dims: [number, number, number, number] } {
  const [kh, kw, cin, cout] = dims4(w, 'conv kernel');
  const out = new Float32Array(w.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) {
          out[((o * cin + i) * kh + y) * kw + x] = w.data[((y * kw + x) * cin + i) * cout + o]!;
        }
  return { data: out, dims: [cout, cin, kh, kw] };
}

/** Keras depthwise kernel [kh, kw, cin, mult] → ONNX grouped conv [cin*mult, 1, kh, kw]; TF orders outputs i*mult+m. */
export function depthwiseKernelToOihw(w: Weight): {
  data: Float32Array;
  dims: [number, number, number, number];
} {
  const [kh, kw, cin, mult] = dims4(w, 'depthwise kernel');
  const out = new Float32Array(w.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let m = 0; m < mult; m++) {
          out[((i * mult + m) * kh + y) * kw + x] = w.data[((y * kw + x) * cin + i) * mult + m]!;
        }
  return { data: out, dims: [cin * mult, 1, kh, kw] };
}

export interface BatchNormParams {
  gamma: Float32Array | null;
  beta: Float32Array | null;
  mean: Float32Array;
  variance: Float32Array;
  epsilon: number;
}

/** Per-channel affine form of inference BatchNorm: y = x*scale + shift (in double, rounded once to float32). */
export function batchNormAffine(bn: BatchNormParams): { scale: Float64Array; shift: Float64Array } {
  const n = bn.mean.length;
  const scale = new Float64Array(n);
  const shift = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    const s = (bn.gamma ? bn.gamma[c]! : 1) / Math.sqrt(bn.variance[c]! + bn.epsilon);
    scale[c] = s;
    shift[c] = (bn.beta ? bn.beta[c]! : 0) - bn.mean[c]! * s;
  }
  return { scale, shift };
}

/** Folds a following BatchNorm into a conv: W' = W*scale[o], b' = b*scale[o] + shift[o]. */
export function foldBatchNorm(conv: ConvSpec, bn: BatchNormParams): ConvSpec {
  const { scale, shift } = batchNormAffine(bn);
  const cout = conv.weightDims[0];
  if (scale.length !== cout)
    throw new Error(`${conv.hint}: BatchNorm has ${scale.length} channels, conv ${cout}`);
  const perOut = conv.weight.length / cout;
  const weight = new Float32Array(conv.weight.length);
  for (let o = 0; o < cout; o++) {
    const s = scale[o]!;
    for (let k = 0; k < perOut; k++) weight[o * perOut + k] = conv.weight[o * perOut + k]! * s;
  }
  const bias = new Float32Array(cout);
  for (let o = 0; o < cout; o++) bias[o] = (conv.bias ? conv.bias[o]! : 0) * scale[o]! + shift[o]!;
  return { ...conv, weight, bias };
}

function dims4(w: Weight, what: string): [number, number, number, number] {
  const [a, b, c, d] = w.shape;
  if (w.shape.length !== 4 || a === undefined || b === undefined || c === undefined || d === undefined) {
    throw new Error(`${what}: expected a rank-4 shape, got [${w.shape.join(',')}]`);
  }
  return [a, b, c, d];
}
