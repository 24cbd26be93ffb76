import { OnnxGraphBuilder } from '../onnx/graph-builder.js';
import { emitConv, Scalars } from '../onnx/ops.js';
import { relu6PriorMean } from './activation-prior.js';
import { foldBatchNorm, tfPadding, type ConvSpec } from './keras-layers.js';
import type { TorchTensor } from './torch-legacy.js';

/**
 * EfficientNet-Lite (Google's mobile variant of EfficientNet: ReLU6, no squeeze-excite, stem and head not
 * scaled) from a PyTorch state_dict with the efficientnet_lite_pytorch key names, as one NCHW ONNX graph
 * with three outputs: the globally pooled head features, the ImageNet logits, and the features centred on
 * their ImageNet mean (`visual`, for image→image similarity). BatchNorm is folded into
 * every convolution; padding is TF "same" for the actual input size (the odd pixel at the bottom/right),
 * because the weights were trained in TensorFlow.
 */

export type EfficientNetLiteVariant = 'lite0' | 'lite1' | 'lite2';

/** Width and depth multipliers and the training resolution of each variant (efficientnet_lite_builder.py). */
export const EFFICIENTNET_LITE: Record<
  EfficientNetLiteVariant,
  { width: number; depth: number; resolution: number }
> = {
  lite0: { width: 1.0, depth: 1.0, resolution: 224 },
  lite1: { width: 1.0, depth: 1.1, resolution: 240 },
  lite2: { width: 1.1, depth: 1.2, resolution: 260 },
};

/** The EfficientNet-B0 stages that every variant scales: r1_k3_s11_e1_i32_o16, … */
const BASE_STAGES = [
  { repeats: 1, kernel: 3, stride: 1, expand: 1, out: 16 },
  { repeats: 2, kernel: 3, stride: 2, expand: 6, out: 24 },
  { repeats: 2, kernel: 5, stride: 2, expand: 6, out: 40 },
  { repeats: 3, kernel: 3, stride: 2, expand: 6, out: 80 },
  { repeats: 3, kernel: 5, stride: 1, expand: 6, out: 112 },
  { repeats: 4, kernel: 5, stride: 2, expand: 6, out: 192 },
  { repeats: 1, kernel: 3, stride: 1, expand: 6, out: 320 },
];
const STEM_CHANNELS = 32;
const HEAD_CHANNELS = 1280;
const BN_EPSILON = 1e-3;

export interface MBConvBlock {
  index: number;
  kernel: number;
  stride: number;
  expand: number;
  in: number;
  out: number;
}

/** round_filters: scale by the width multiplier to a multiple of 8, never more than 10 % below. */
function roundFilters(filters: number, width: number): number {
  const scaled = filters * width;
  let rounded = Math.max(8, Math.floor((scaled + 4) / 8) * 8);
  if (rounded < 0.9 * scaled) rounded += 8;
  return rounded;
}

/** The block list of a variant; the first and last stages keep their repeat count (fix_head_stem). */
export function efficientNetLiteBlocks(variant: EfficientNetLiteVariant): MBConvBlock[] {
  const { width, depth } = EFFICIENTNET_LITE[variant];
  const blocks: MBConvBlock[] = [];
  let channels = STEM_CHANNELS;
  BASE_STAGES.forEach((stage, i) => {
    const fixed = i === 0 || i === BASE_STAGES.length - 1;
    const repeats = fixed ? stage.repeats : Math.ceil(stage.repeats * depth);
    const out = roundFilters(stage.out, width);
    for (let r = 0; r < repeats; r++) {
      blocks.push({
        index: blocks.length,
        kernel: stage.kernel,
        stride: r === 0 ? stage.stride : 1,
        expand: stage.expand,
        in: channels,
        out,
      });
      channels = out;
    }
  });
  return blocks;
}

export interface EfficientNetLiteOptions {
  variant: EfficientNetLiteVariant;
  /** Square input side; default the variant's training resolution. */
  inputSize?: number;
  inputName?: string;
  featuresName?: string;
  logitsName?: string;
  /** The centred features output, for image→image similarity. */
  visualName?: string;
  onProgress?: (done: number, total: number) => void;
}

export interface EfficientNetLiteResult {
  builder: OnnxGraphBuilder;
  inputSize: number;
  dimension: number;
  classes: number;
  blocks: number;
}

interface Feature {
  name: string;
  c: number;
  h: number;
  w: number;
}

export function efficientNetLiteToOnnx(
  weights: Map<string, TorchTensor>,
  opts: EfficientNetLiteOptions,
): EfficientNetLiteResult {
  return new EfficientNetLiteEmitter(weights, opts).run();
}

class EfficientNetLiteEmitter {
  private readonly g: OnnxGraphBuilder;
  private readonly scalars: Scalars;
  private readonly used = new Set<string>();

  constructor(
    private readonly weights: Map<string, TorchTensor>,
    private readonly opts: EfficientNetLiteOptions,
  ) {
    this.g = new OnnxGraphBuilder(`efficientnet_${opts.variant}`);
    this.scalars = new Scalars(this.g);
  }

  run(): EfficientNetLiteResult {
    const size = this.opts.inputSize ?? EFFICIENTNET_LITE[this.opts.variant].resolution;
    const input = this.g.addInput(this.opts.inputName ?? 'image', ['batch', size, size, 3]);
    // The public input is NHWC like the decoder's tensors; the graph runs NCHW, ONNX's native layout.
    let x: Feature = {
      name: this.g.node('Transpose', [input], { perm: [0, 3, 1, 2] }, 'to_nchw'),
      c: 3,
      h: size,
      w: size,
    };
    x = this.convBn(x, '_conv_stem', '_bn0', 2, 1, true);
    const blocks = efficientNetLiteBlocks(this.opts.variant);
    if (x.c !== blocks[0]!.in) throw new Error(`stem has ${x.c} channels, block 0 expects ${blocks[0]!.in}`);
    blocks.forEach((b, i) => {
      x = this.block(x, b);
      this.opts.onProgress?.(i + 1, blocks.length + 1);
    });
    x = this.convBn(x, '_conv_head', '_bn1', 1, 1, true);
    if (x.c !== HEAD_CHANNELS) throw new Error(`head has ${x.c} channels, expected ${HEAD_CHANNELS}`);
    const pooled = this.g.node('GlobalAveragePool', [x.name], {}, 'avg_pool');
    const featuresName = this.opts.featuresName ?? 'features';
    const features = this.g.node('Flatten', [pooled], { axis: 1 }, featuresName);
    const classes = this.linear(features, '_fc', this.opts.logitsName ?? 'logits');
    const visual = this.centred(features, this.opts.visualName ?? 'visual');
    this.g.addOutput(features, ['batch', x.c]);
    this.g.addOutput(classes.name, ['batch', classes.c]);
    this.g.addOutput(visual, ['batch', x.c]);
    const unused = [...this.weights.keys()].filter(
      (k) => !this.used.has(k) && !k.endsWith('num_batches_tracked'),
    );
    if (unused.length)
      throw new Error(`checkpoint has weights the architecture does not use: ${unused.join(', ')}`);
    this.opts.onProgress?.(blocks.length + 1, blocks.length + 1);
    return { builder: this.g, inputSize: size, dimension: x.c, classes: classes.c, blocks: blocks.length };
  }

  /** MBConv: [1×1 expand, BN, ReLU6] → k×k depthwise, BN, ReLU6 → 1×1 project, BN (+ identity skip). */
  private block(x: Feature, b: MBConvBlock): Feature {
    const p = `_blocks.${b.index}.`;
    if (x.c !== b.in) throw new Error(`block ${b.index}: input has ${x.c} channels, expected ${b.in}`);
    let y = x;
    if (b.expand !== 1) y = this.convBn(y, `${p}_expand_conv`, `${p}_bn0`, 1, 1, true);
    y = this.convBn(y, `${p}_depthwise_conv`, `${p}_bn1`, b.stride, y.c, true);
    y = this.convBn(y, `${p}_project_conv`, `${p}_bn2`, 1, 1, false);
    if (y.c !== b.out) throw new Error(`block ${b.index}: output has ${y.c} channels, expected ${b.out}`);
    if (b.stride === 1 && b.in === b.out) {
      y = { ...y, name: this.g.node('Add', [y.name, x.name], {}, `block${b.index}_add`) };
    }
    return y;
  }

  /** Conv (no bias) with the following BatchNorm folded in, optionally ReLU6. */
  private convBn(
    x: Feature,
    conv: string,
    bn: string,
    stride: number,
    group: number,
    relu6: boolean,
  ): Feature {
    const w = this.tensor(`${conv}.weight`, 4);
    const [cout, cinPerGroup, kh, kw] = w.shape as [number, number, number, number];
    if (cinPerGroup * group !== x.c) {
      throw new Error(`${conv}: weight expects ${cinPerGroup * group} input channels, got ${x.c}`);
    }
    const { pads, outH, outW } = tfPadding('same', x.h, x.w, [kh, kw], [stride, stride]);
    const spec: ConvSpec = {
      input: x.name,
      weight: w.data,
      weightDims: [cout, cinPerGroup, kh, kw],
      bias: null,
      group,
      strides: [stride, stride],
      dilations: [1, 1],
      pads,
      hint: conv.replace(/^_/, '').replace(/\._?/g, '_'),
    };
    const folded = foldBatchNorm(spec, {
      gamma: this.tensor(`${bn}.weight`, 1).data,
      beta: this.tensor(`${bn}.bias`, 1).data,
      mean: this.tensor(`${bn}.running_mean`, 1).data,
      variance: this.tensor(`${bn}.running_var`, 1).data,
      epsilon: BN_EPSILON,
    });
    let name = emitConv(this.g, folded);
    if (relu6) name = this.scalars.relu6(name, `${folded.hint}_relu6`);
    return { name, c: cout, h: outH, w: outW };
  }

  /** Features minus their ImageNet mean (from the head BN's statistics): image→image vectors. */
  private centred(features: string, outputName: string): string {
    const mean = relu6PriorMean({
      gamma: this.tensor('_bn1.weight', 1).data,
      beta: this.tensor('_bn1.bias', 1).data,
      variance: this.tensor('_bn1.running_var', 1).data,
      epsilon: BN_EPSILON,
    });
    const init = this.g.addFloatInitializer('imagenet_feature_mean', mean, [1, mean.length]);
    return this.g.node('Sub', [features, init], {}, outputName);
  }

  private linear(x: string, prefix: string, outputName: string): { name: string; c: number } {
    const w = this.tensor(`${prefix}.weight`, 2);
    const b = this.tensor(`${prefix}.bias`, 1);
    const [out, inDim] = w.shape as [number, number];
    const weight = this.g.addFloatInitializer('fc_W', w.data, [out, inDim]);
    const bias = this.g.addFloatInitializer('fc_B', b.data, [out]);
    return { name: this.g.node('Gemm', [x, weight, bias], { transB: 1 }, outputName), c: out };
  }

  private tensor(name: string, rank: number): TorchTensor {
    const t = this.weights.get(name);
    if (!t) throw new Error(`checkpoint has no tensor ${name}`);
    if (t.shape.length !== rank)
      throw new Error(`${name}: expected rank ${rank}, got [${t.shape.join(',')}]`);
    this.used.add(name);
    return t;
  }
}
