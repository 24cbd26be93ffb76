/** A trained head as plain arrays: what both the MLP and ridge produce and what the exporter writes. */

export interface DenseLayer {
  /** Row-major [inDim × outDim] (tfjs Dense kernel / ONNX MatMul B layout). */
  weights: Float32Array;
  bias: Float32Array;
  inDim: number;
  outDim: number;
  /** Activation after this layer; the last layer is linear. */
  activation: 'leaky-relu' | 'linear';
}

export interface DenseStack {
  layers: DenseLayer[];
  /** LeakyReLU slope for negative inputs. */
  alpha: number;
}

/** Reference forward pass in JS (float64 accumulation), used by tests and the ridge evaluation. */
export function forwardDense(stack: DenseStack, input: Float32Array): Float32Array {
  let x = input;
  for (const layer of stack.layers) {
    const out = new Float64Array(layer.bias);
    for (let i = 0; i < layer.inDim; i++) {
      const xi = x[i]!;
      if (xi === 0) continue;
      const row = i * layer.outDim;
      for (let c = 0; c < layer.outDim; c++) out[c]! += xi * layer.weights[row + c]!;
    }
    if (layer.activation === 'leaky-relu')
      for (let c = 0; c < out.length; c++) if (out[c]! < 0) out[c]! *= stack.alpha;
    x = Float32Array.from(out);
  }
  return x;
}
