import { OnnxGraphBuilder } from '../onnx/graph-builder.js';
import { LayerEmitter, type KerasLayer, type Value } from './keras-emit.js';
import type { Weight } from './tfjs-artifacts.js';

export type { KerasLayer } from './keras-emit.js';

export type Pooling = 'avg' | 'max';

export interface KerasToOnnxOptions {
  /** Name of the Keras layer whose output is pooled (e.g. 'mixed6'). */
  cutLayer: string;
  /** Global pools over H×W, concatenated in this order. */
  pooling: Pooling[];
  /** Input size; conv pads are computed for it (TF 'same' padding depends on the size). Default: the model's. */
  inputSize?: { height: number; width: number };
  inputName?: string;
  outputName?: string;
  /** Fold BatchNorm (and ZeroPadding2D) into the preceding conv. Default true. */
  fold?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface KerasToOnnxResult {
  builder: OnnxGraphBuilder;
  inputName: string;
  outputName: string;
  inputSize: { height: number; width: number };
  dimension: number;
  layerCount: number;
}

/** Converts a Keras functional model (TF.js layers format, channels_last) up to `cutLayer` into NCHW ONNX. */
export function kerasToOnnx(
  topology: Record<string, unknown>,
  weights: Map<string, Weight>,
  opts: KerasToOnnxOptions,
): KerasToOnnxResult {
  return new KerasConverter(topology, weights, opts).run();
}

export function kerasLayers(topology: Record<string, unknown>): KerasLayer[] {
  const mc = (topology.model_config ?? topology) as { config?: { layers?: KerasLayer[] } };
  const layers = mc.config?.layers;
  if (!Array.isArray(layers)) throw new Error('not a Keras functional topology (no config.layers)');
  return layers;
}

class KerasConverter extends LayerEmitter {
  private readonly layers: KerasLayer[];
  private readonly values = new Map<string, Value>();

  constructor(
    topology: Record<string, unknown>,
    weights: Map<string, Weight>,
    private readonly opts: KerasToOnnxOptions,
  ) {
    super(new OnnxGraphBuilder(`${opts.cutLayer}_features`), weights, opts.fold ?? true, opts.cutLayer);
    this.layers = kerasLayers(topology);
  }

  run(): KerasToOnnxResult {
    const byName = new Map(this.layers.map((l) => [l.name, l]));
    if (!byName.has(this.opts.cutLayer))
      throw new Error(`layer ${this.opts.cutLayer} not found in the model`);
    if (this.opts.pooling.length === 0) throw new Error('at least one pooling is required');
    // Only the ancestors of the cut are converted; Keras lists layers in topological order.
    const needed = new Set<string>();
    const stack = [this.opts.cutLayer];
    while (stack.length) {
      const name = stack.pop()!;
      if (needed.has(name)) continue;
      needed.add(name);
      const layer = byName.get(name);
      if (!layer) throw new Error(`layer ${name} is referenced but not defined`);
      if (layer.inbound_nodes.length > 1)
        throw new Error(`layer ${name} is shared; shared layers are unsupported`);
      for (const [src] of layer.inbound_nodes[0] ?? []) stack.push(src);
    }
    const order = this.layers.filter((l) => needed.has(l.name));
    for (const l of order) {
      for (const [src] of l.inbound_nodes[0] ?? [])
        this.consumers.set(src, [...(this.consumers.get(src) ?? []), l]);
    }
    let size = this.opts.inputSize;
    order.forEach((layer, i) => {
      if (layer.class_name === 'InputLayer') size = this.input(layer, size);
      else this.values.set(layer.name, this.convert(layer));
      this.opts.onProgress?.(i + 1, order.length);
    });
    const cut = this.values.get(this.opts.cutLayer)!;
    const feat = this.tensor(cut);
    const pooled = this.opts.pooling.map((p) =>
      this.g.node(
        'Flatten',
        [this.g.node(p === 'avg' ? 'GlobalAveragePool' : 'GlobalMaxPool', [feat])],
        { axis: 1 },
        `${p}_pool`,
      ),
    );
    const outputName = this.opts.outputName ?? 'features';
    this.g.node(
      pooled.length === 1 ? 'Identity' : 'Concat',
      pooled,
      pooled.length === 1 ? {} : { axis: 1 },
      outputName,
    );
    const dimension = cut.c * pooled.length;
    this.g.addOutput(outputName, ['batch', dimension]);
    return {
      builder: this.g,
      inputName: this.opts.inputName ?? 'image',
      outputName,
      inputSize: size!,
      dimension,
      layerCount: order.length,
    };
  }

  private input(layer: KerasLayer, size: { height: number; width: number } | undefined) {
    const shape = layer.config.batch_input_shape as (number | null)[] | undefined;
    const height = size?.height ?? shape?.[1];
    const width = size?.width ?? shape?.[2];
    const channels = shape?.[3] ?? 3;
    if (!height || !width) throw new Error('input size unknown: pass inputSize');
    const name = this.g.addInput(this.opts.inputName ?? 'image', ['batch', height, width, channels]);
    // The public input is NHWC like the TF.js model; the graph runs NCHW, ONNX's native layout.
    const nchw = this.g.node('Transpose', [name], { perm: [0, 3, 1, 2] }, 'to_nchw');
    this.values.set(layer.name, { kind: 'tensor', name: nchw, c: channels, h: height, w: width });
    return { height, width };
  }

  private convert(layer: KerasLayer): Value {
    const cfg = layer.config;
    if (cfg.data_format !== undefined && cfg.data_format !== 'channels_last') {
      throw new Error(`${layer.name}: only channels_last is supported`);
    }
    const ins = (layer.inbound_nodes[0] ?? []).map(([src]) => this.values.get(src)!);
    const x = ins[0]!;
    switch (layer.class_name) {
      case 'Conv2D':
      case 'DepthwiseConv2D':
        return this.conv(layer, x);
      case 'BatchNormalization':
        return this.batchNorm(layer, x);
      case 'Activation':
        return this.activate(
          { ...x, kind: 'tensor', name: this.tensor(x) },
          String(cfg.activation),
          layer.name,
        );
      case 'ReLU':
        return this.relu(layer, x);
      case 'ZeroPadding2D':
        return this.zeroPad(layer, x);
      case 'MaxPooling2D':
      case 'AveragePooling2D':
        return this.pool(layer, x);
      case 'Concatenate': {
        const axis = Number(cfg.axis ?? -1);
        if (axis !== -1 && axis !== 3)
          throw new Error(`${layer.name}: only channel concatenation is supported`);
        const names = ins.map((v) => this.tensor(v));
        const c = ins.reduce((n, v) => n + v.c, 0);
        return {
          kind: 'tensor',
          name: this.g.node('Concat', names, { axis: 1 }, layer.name),
          c,
          h: x.h,
          w: x.w,
        };
      }
      case 'Add': {
        let acc = this.tensor(x);
        for (const v of ins.slice(1)) acc = this.g.node('Add', [acc, this.tensor(v)], {}, layer.name);
        return { ...x, kind: 'tensor', name: acc };
      }
      case 'Dropout':
        return x;
      default:
        throw new Error(`${layer.name}: Keras layer ${layer.class_name} is not supported by the converter`);
    }
  }
}
