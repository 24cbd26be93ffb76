import { OnnxGraphBuilder } from '../models/onnx/graph-builder.js';
import { HEAD_INPUT_NAME, HEAD_OUTPUT_NAME } from './head-export.js';

/**
 * ConSE (Norouzi et al., 2014, "Zero-shot learning by convex combination of semantic embeddings") over
 * the encoder's own classifier: the image's embedding is the probability-weighted mean of the word
 * vectors of its top-T classes, p(c|x) renormalised over those T. Nothing is trained: the classifier's
 * linear layer and the classes' word vectors are the whole head, so every word of the vocabulary is
 * reachable and the words of the 1000 classes need not appear in any training set.
 */
export interface ImagenetConse {
  /** The encoder's final linear layer, [classes, features] row-major, and its bias. */
  fcWeight: Float32Array;
  fcBias: Float32Array;
  /** One unit word vector per class, [classes, dimension] row-major. */
  classVectors: Float32Array;
  dimension: number;
  /** T, the number of most probable classes mixed. */
  topK: number;
}

/**
 * The ConSE head as ONNX, input `features` [batch, F] (the encoder's pooled features), output `embedding`
 * [batch, D]: Gemm → TopK → Softmax over the T logits → Gather class vectors → weighted sum.
 */
export function buildImagenetConseOnnx(c: ImagenetConse, name = 'imagenet-conse'): Uint8Array {
  const g = new OnnxGraphBuilder(name);
  const x = g.addInput(HEAD_INPUT_NAME, ['batch', c.fcWeight.length / c.fcBias.length]);
  const out = g.node('Identity', [emitImagenetConse(g, x, c)], {}, HEAD_OUTPUT_NAME);
  g.addOutput(out, ['batch', c.dimension]);
  return g.toBytes({ kind: 'projection-head', 'visem.head': `imagenet-conse top-${c.topK}` });
}

/** Emits the ConSE branch on features `x` into `g`; returns the (unnormalised) embedding's name. */
export function emitImagenetConse(g: OnnxGraphBuilder, x: string, c: ImagenetConse): string {
  const classes = c.fcBias.length;
  const features = c.fcWeight.length / classes;
  if (!Number.isInteger(features)) throw new Error('fcWeight is not [classes, features]');
  if (c.classVectors.length !== classes * c.dimension) throw new Error('classVectors is not [classes, D]');
  if (c.topK < 1 || c.topK > classes) throw new Error(`topK must be in 1..${classes}`);
  const w = g.addFloatInitializer('fc_W', c.fcWeight, [classes, features]);
  const b = g.addFloatInitializer('fc_B', c.fcBias, [classes]);
  const logits = g.node('Gemm', [x, w, b], { transB: 1 }, 'logits');
  const k = g.addInt64Initializer('top_k', [c.topK]);
  const [top, topIndices] = g.nodeOutputs('TopK', [logits, k], { axis: 1, largest: 1, sorted: 1 }, 'top', 2);
  // Softmax over the T largest logits equals p(c|x) / Σ_top-T p(c'|x).
  const weights = g.node('Softmax', [top!], { axis: 1 }, 'top_weights');
  const table = g.addFloatInitializer('class_vectors', c.classVectors, [classes, c.dimension]);
  const vectors = g.node('Gather', [table, topIndices!], { axis: 0 }, 'top_vectors');
  const column = g.node('Unsqueeze', [weights, g.addInt64Initializer('axis2', [2])], {}, 'top_weights_col');
  const weighted = g.node('Mul', [vectors, column], {}, 'weighted_vectors');
  return g.node('ReduceSum', [weighted, g.addInt64Initializer('axis1', [1])], { keepdims: 0 }, 'conse_sum');
}
