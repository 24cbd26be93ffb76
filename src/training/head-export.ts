import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { headManifestSchema, type HeadManifest } from '../models/manifest.js';
import { OnnxGraphBuilder } from '../models/onnx/graph-builder.js';
import type { ConseBlend } from './conse-blend.js';
import type { DenseStack } from './dense-stack.js';
import type { InputTransform } from './input-transform.js';

export const HEAD_INPUT_NAME = 'features';
export const HEAD_OUTPUT_NAME = 'embedding';

/**
 * The trained head as ONNX: [LpNormalization] → [Sub mean] → [Mul scale] → (MatMul → Add → LeakyRelu)*
 * → MatMul → Add, then optionally the ConSE blend (see conse-blend.ts).
 */
export function buildHeadOnnx(
  stack: DenseStack,
  transform: InputTransform,
  name = 'projection-head',
  blend?: ConseBlend,
): Uint8Array {
  const first = stack.layers[0];
  const last = stack.layers.at(-1);
  if (!first || !last) throw new Error('head has no layers');
  const g = new OnnxGraphBuilder(name);
  let x = g.addInput(HEAD_INPUT_NAME, ['batch', first.inDim]);
  if (transform.l2) x = g.node('LpNormalization', [x], { axis: -1, p: 2 }, 'l2norm');
  if (transform.mean)
    x = g.node('Sub', [x, g.addFloatInitializer('input_mean', transform.mean, [first.inDim])], {}, 'center');
  if (transform.scale)
    x = g.node('Mul', [x, g.addFloatInitializer('input_scale', transform.scale, [first.inDim])], {}, 'scale');
  stack.layers.forEach((layer, i) => {
    const w = g.addFloatInitializer(`dense${i}_kernel`, layer.weights, [layer.inDim, layer.outDim]);
    const b = g.addFloatInitializer(`dense${i}_bias`, layer.bias, [layer.outDim]);
    x = g.node('MatMul', [x, w], {}, `dense${i}_matmul`);
    const isLast = i === stack.layers.length - 1;
    x = g.node('Add', [x, b], {}, isLast && !blend ? HEAD_OUTPUT_NAME : `dense${i}_add`);
    if (layer.activation === 'leaky-relu')
      x = g.node('LeakyRelu', [x], { alpha: { float: stack.alpha } }, `dense${i}_act`);
  });
  if (blend) {
    if (blend.dimension !== last.outDim)
      throw new Error('ConSE blend dimension differs from the head output');
    const p = g.node('LpNormalization', [x], { axis: -1, p: 2 }, 'conse_unit');
    const classesT = new Float32Array(blend.classes * blend.dimension);
    for (let c = 0; c < blend.classes; c++)
      for (let j = 0; j < blend.dimension; j++)
        classesT[j * blend.classes + c] = blend.classVectors[c * blend.dimension + j]!;
    const lt = g.addFloatInitializer('conse_classes_t', classesT, [blend.dimension, blend.classes]);
    const l = g.addFloatInitializer('conse_classes', blend.classVectors, [blend.classes, blend.dimension]);
    const invT = g.addFloatInitializer('conse_inv_temperature', Float32Array.of(1 / blend.temperature), []);
    const w = g.addFloatInitializer('conse_weight', Float32Array.of(blend.weight), []);
    const logits = g.node('Mul', [g.node('MatMul', [p, lt], {}, 'conse_scores'), invT], {}, 'conse_logits');
    const probs = g.node('Softmax', [logits], { axis: -1 }, 'conse_probs');
    const mix = g.node('MatMul', [probs, l], {}, 'conse_mix');
    const unitMix = g.node('LpNormalization', [mix], { axis: -1, p: 2 }, 'conse_mix_unit');
    const scaled = g.node('Mul', [unitMix, w], {}, 'conse_weighted');
    x = g.node('Add', [p, scaled], {}, HEAD_OUTPUT_NAME);
  }
  if (x !== HEAD_OUTPUT_NAME) x = g.node('Identity', [x], {}, HEAD_OUTPUT_NAME);
  g.addOutput(x, ['batch', last.outDim]);
  return g.toBytes({ kind: 'projection-head' });
}

export interface HeadExportInfo {
  name: string;
  encoder: string;
  wordVectors: string;
  architecture: string;
  training?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
  provenance: HeadManifest['provenance'];
  blend?: ConseBlend;
}

async function writeAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

/** Writes `<dir>/model.onnx` then `<dir>/manifest.json` (each via temp file + rename) and returns the manifest. */
export async function exportHead(
  dir: string,
  stack: DenseStack,
  transform: InputTransform,
  info: HeadExportInfo,
): Promise<HeadManifest> {
  const bytes = buildHeadOnnx(stack, transform, info.name, info.blend);
  const first = stack.layers[0]!;
  const last = stack.layers.at(-1)!;
  const manifest = headManifestSchema.parse({
    kind: 'projection-head',
    name: info.name,
    file: 'model.onnx',
    sha256: createHash('sha256').update(bytes).digest('hex'),
    encoder: info.encoder,
    wordVectors: info.wordVectors,
    input: { name: HEAD_INPUT_NAME, dimension: first.inDim },
    output: { name: HEAD_OUTPUT_NAME, dimension: last.outDim },
    architecture: info.architecture,
    training: info.training,
    metrics: info.metrics,
    provenance: info.provenance,
  });
  await mkdir(dir, { recursive: true });
  // Model first: a manifest never points at a file that is not there yet.
  await writeAtomic(path.join(dir, 'model.onnx'), bytes);
  await writeAtomic(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** "1536 → l2 → zscore → 1024 → 100" style summary for the manifest. */
export function describeArchitecture(
  stack: DenseStack,
  transform: InputTransform,
  blend?: ConseBlend,
): string {
  const parts = [String(stack.layers[0]?.inDim ?? 0)];
  if (transform.l2) parts.push('l2');
  if (transform.scale) parts.push('zscore');
  else if (transform.mean) parts.push('center');
  for (const l of stack.layers)
    parts.push(l.activation === 'leaky-relu' ? `${l.outDim}(LeakyReLU ${stack.alpha})` : String(l.outDim));
  if (blend)
    parts.push(`ConSE blend (${blend.classes} classes, τ ${blend.temperature}, weight ${blend.weight})`);
  return `mlp ${parts.join(' → ')}`;
}
