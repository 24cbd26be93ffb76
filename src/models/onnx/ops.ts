import type { ConvSpec } from '../convert/keras-layers.js';
import type { OnnxGraphBuilder } from './graph-builder.js';

/** Emits one ONNX Conv (OIHW weights, optional bias) and returns its output name. */
export function emitConv(g: OnnxGraphBuilder, s: ConvSpec): string {
  const inputs = [s.input, g.addFloatInitializer(`${s.hint}_W`, s.weight, s.weightDims)];
  if (s.bias) inputs.push(g.addFloatInitializer(`${s.hint}_B`, s.bias, [s.weightDims[0]]));
  const attrs = {
    kernel_shape: [s.weightDims[2], s.weightDims[3]],
    strides: s.strides,
    dilations: s.dilations,
    pads: s.pads,
    group: s.group,
  };
  return g.node('Conv', inputs, attrs, s.hint);
}

/** Float scalar constants, one initializer per value per graph. */
export class Scalars {
  private readonly names = new Map<number, string>();

  constructor(private readonly g: OnnxGraphBuilder) {}

  get(v: number): string {
    let name = this.names.get(v);
    if (!name) {
      name = this.g.addFloatInitializer(`const_${v}`, new Float32Array([v]), []);
      this.names.set(v, name);
    }
    return name;
  }

  /** min(max(x, 0), 6), which onnxruntime fuses into the preceding Conv. */
  relu6(x: string, hint: string): string {
    return this.g.node('Clip', [x, this.get(0), this.get(6)], {}, hint);
  }
}
