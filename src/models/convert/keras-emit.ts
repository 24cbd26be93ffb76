import type { OnnxGraphBuilder } from '../onnx/graph-builder.js';
import { emitConv, Scalars } from '../onnx/ops.js';
import {
  convKernelToOihw,
  depthwiseKernelToOihw,
  foldBatchNorm,
  tfPadding,
  type BatchNormParams,
  type ConvSpec,
  type Pads2D,
} from './keras-layers.js';
import type { Weight } from './tfjs-artifacts.js';

export interface KerasLayer {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes: [string, number, number, unknown][][];
}

/** A layer output: materialised ONNX tensor, or a conv / zero-pad held back so its consumer can absorb it. */
export type Value = { c: number; h: number; w: number } & (
  | { kind: 'tensor'; name: string }
  | { kind: 'conv'; conv: ConvSpec; activation: string }
  | { kind: 'pad'; src: string; pads: Pads2D }
);

/** ONNX emitters for single Keras layers (NCHW), with BatchNorm and ZeroPadding2D folding into convs. */
export abstract class LayerEmitter {
  protected readonly consumers = new Map<string, KerasLayer[]>();
  private readonly scalars: Scalars;

  constructor(
    protected readonly g: OnnxGraphBuilder,
    protected readonly weights: Map<string, Weight>,
    protected readonly fold: boolean,
    protected readonly cutLayer: string,
  ) {
    this.scalars = new Scalars(g);
  }

  protected conv(layer: KerasLayer, x: Value): Value {
    const cfg = layer.config;
    const depthwise = layer.class_name === 'DepthwiseConv2D';
    const kernel = this.weight(`${layer.name}/${depthwise ? 'depthwise_kernel' : 'kernel'}`);
    const { data, dims } = depthwise ? depthwiseKernelToOihw(kernel) : convKernelToOihw(kernel);
    const strides = pair(cfg.strides, 1);
    const dilations = pair(cfg.dilation_rate, 1);
    // A zero-pad feeding a 'valid' conv becomes the conv's own pads (same arithmetic, one op fewer).
    const absorbPad = x.kind === 'pad' && cfg.padding === 'valid';
    // For an absorbed pad x.h/x.w are already the padded sizes and the conv is 'valid'.
    const {
      pads: samePads,
      outH,
      outW,
    } = tfPadding(String(cfg.padding), x.h, x.w, [dims[2], dims[3]], strides, dilations);
    const pads: Pads2D = x.kind === 'pad' && absorbPad ? x.pads : samePads;
    const spec: ConvSpec = {
      input: x.kind === 'pad' && absorbPad ? x.src : this.tensor(x),
      weight: data,
      weightDims: dims,
      bias: cfg.use_bias ? this.weight(`${layer.name}/bias`).data : null,
      group: depthwise ? x.c : 1,
      strides,
      dilations,
      pads,
      hint: layer.name,
    };
    const activation = typeof cfg.activation === 'string' ? cfg.activation : 'linear';
    const v: Value = { kind: 'conv', conv: spec, activation, c: dims[0], h: outH, w: outW };
    // Hold the conv back when its only consumer is a BatchNorm that can be folded into it.
    const next = this.consumers.get(layer.name) ?? [];
    const foldable = this.fold && activation === 'linear' && layer.name !== this.cutLayer;
    if (foldable && next.length === 1 && next[0]!.class_name === 'BatchNormalization') return v;
    return this.activate(
      { ...v, kind: 'tensor', name: this.emitConv(spec) },
      activation,
      `${layer.name}_act`,
    );
  }

  protected batchNorm(layer: KerasLayer, x: Value): Value {
    const cfg = layer.config;
    const axis = Number(cfg.axis ?? -1);
    if (axis !== -1 && axis !== 3) throw new Error(`${layer.name}: only channel BatchNorm is supported`);
    const w = (k: string) => this.weight(`${layer.name}/${k}`).data;
    const bn: BatchNormParams = {
      gamma: cfg.scale === false ? null : w('gamma'),
      beta: cfg.center === false ? null : w('beta'),
      mean: w('moving_mean'),
      variance: w('moving_variance'),
      epsilon: Number(cfg.epsilon ?? 1e-3),
    };
    if (x.kind === 'conv') return { ...x, kind: 'tensor', name: this.emitConv(foldBatchNorm(x.conv, bn)) };
    const ones = new Float32Array(x.c).fill(1);
    const zeros = new Float32Array(x.c);
    const inputs = [
      this.tensor(x),
      this.g.addFloatInitializer(`${layer.name}_gamma`, bn.gamma ?? ones, [x.c]),
      this.g.addFloatInitializer(`${layer.name}_beta`, bn.beta ?? zeros, [x.c]),
      this.g.addFloatInitializer(`${layer.name}_mean`, bn.mean, [x.c]),
      this.g.addFloatInitializer(`${layer.name}_var`, bn.variance, [x.c]),
    ];
    const name = this.g.node('BatchNormalization', inputs, { epsilon: { float: bn.epsilon } }, layer.name);
    return { ...x, kind: 'tensor', name };
  }

  protected relu(layer: KerasLayer, x: Value): Value {
    const { max_value: max, negative_slope: slope = 0, threshold = 0 } = layer.config;
    if (Number(threshold) !== 0) throw new Error(`${layer.name}: ReLU threshold is unsupported`);
    const t = { ...x, kind: 'tensor' as const, name: this.tensor(x) };
    if (Number(slope) !== 0) {
      if (max !== null && max !== undefined)
        throw new Error(`${layer.name}: capped leaky ReLU is unsupported`);
      return {
        ...t,
        name: this.g.node('LeakyRelu', [t.name], { alpha: { float: Number(slope) } }, layer.name),
      };
    }
    if (max === null || max === undefined) return this.activate(t, 'relu', layer.name);
    return {
      ...t,
      name: this.g.node('Clip', [t.name, this.scalar(0), this.scalar(Number(max))], {}, layer.name),
    };
  }

  protected zeroPad(layer: KerasLayer, x: Value): Value {
    // Keras accepts n, [[t, b], [l, r]] or [h, w]; normalise to [top, left, bottom, right].
    const p = layer.config.padding;
    const sym = (v: unknown): [number, number] =>
      Array.isArray(v) ? [Number(v[0]), Number(v[1])] : [Number(v), Number(v)];
    const [[top, bottom], [left, right]] = Array.isArray(p) ? [sym(p[0]), sym(p[1])] : [sym(p), sym(p)];
    const pads: Pads2D = [top, left, bottom, right];
    const h = x.h + top + bottom;
    const w = x.w + left + right;
    const next = this.consumers.get(layer.name) ?? [];
    const intoConv =
      next.length === 1 &&
      ['Conv2D', 'DepthwiseConv2D'].includes(next[0]!.class_name) &&
      next[0]!.config.padding === 'valid';
    if (this.fold && intoConv && layer.name !== this.cutLayer)
      return { kind: 'pad', src: this.tensor(x), pads, c: x.c, h, w };
    const allPads = this.g.addInt64Initializer(`${layer.name}_pads`, [0, 0, top, left, 0, 0, bottom, right]);
    return {
      kind: 'tensor',
      name: this.g.node('Pad', [this.tensor(x), allPads], {}, layer.name),
      c: x.c,
      h,
      w,
    };
  }

  protected pool(layer: KerasLayer, x: Value): Value {
    const cfg = layer.config;
    const kernel = pair(cfg.pool_size, 2);
    const strides = pair(cfg.strides ?? cfg.pool_size, 2);
    const { pads, outH, outW } = tfPadding(String(cfg.padding), x.h, x.w, kernel, strides);
    // ONNX AveragePool's default count_include_pad=0 matches TF 'same' averaging over real pixels only.
    const op = layer.class_name === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool';
    const name = this.g.node(op, [this.tensor(x)], { kernel_shape: kernel, strides, pads }, layer.name);
    return { kind: 'tensor', name, c: x.c, h: outH, w: outW };
  }

  protected activate(x: Value & { kind: 'tensor' }, activation: string, hint: string): Value {
    const ops: Record<string, string> = { relu: 'Relu', sigmoid: 'Sigmoid', tanh: 'Tanh' };
    if (activation === 'linear') return x;
    if (activation === 'relu6') return { ...x, name: this.scalars.relu6(x.name, hint) };
    const op = ops[activation];
    if (!op) throw new Error(`${hint}: activation ${activation} is not supported`);
    return { ...x, name: this.g.node(op, [x.name], {}, hint) };
  }

  /** The ONNX tensor for a value, emitting any held-back conv or pad. */
  protected tensor(v: Value): string {
    if (v.kind === 'tensor') return v.name;
    if (v.kind === 'pad') {
      const [t, l, b, r] = v.pads;
      return this.g.node(
        'Pad',
        [v.src, this.g.addInt64Initializer('pads', [0, 0, t, l, 0, 0, b, r])],
        {},
        'pad',
      );
    }
    const out = this.emitConv(v.conv);
    return (
      this.activate({ ...v, kind: 'tensor', name: out }, v.activation, `${v.conv.hint}_act`) as {
        name: string;
      }
    ).name;
  }

  protected emitConv(s: ConvSpec): string {
    return emitConv(this.g, s);
  }

  protected weight(name: string): Weight {
    const w = this.weights.get(name);
    if (!w) throw new Error(`weight ${name} missing from the artifacts`);
    return w;
  }

  protected scalar(v: number): string {
    return this.scalars.get(v);
  }
}

function pair(v: unknown, fallback: number): [number, number] {
  if (Array.isArray(v)) return [Number(v[0] ?? fallback), Number(v[1] ?? v[0] ?? fallback)];
  if (typeof v === 'number') return [v, v];
  return [fallback, fallback];
}
