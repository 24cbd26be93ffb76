import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { AppError, ErrorCode } from '../errors.js';
import { loadEfficientNetCheckpoint, wheelCacheDir } from '../models/convert/build-efficientnet.js';
import type { BuildEncoderResult } from '../models/convert/build-encoder.js';
import {
  encoderManifestSchema,
  headManifestSchema,
  readManifest,
  type HeadManifest,
} from '../models/manifest.js';
import { sha256File, sha256Hex, writeModelFiles } from '../models/model-files.js';
import { classWordVectors, loadImagenetClasses } from '../words/imagenet-classes.js';
import { buildImagenetConseOnnx, type ImagenetConse } from './imagenet-conse.js';
import type { WordSpace } from './word-space.js';

/**
 * Makes sure a head whose manifest carries an `imagenet-conse` recipe has its ONNX file: builds it from
 * the encoder's classifier layer (read from the encoder's pinned checkpoint) and the encoder's class list
 * mapped into the word space. Skips when the file's checksum matches the manifest.
 */
export async function ensureConseHeadBuilt(
  headDir: string,
  encoderDir: string,
  loadSpace: () => Promise<WordSpace>,
  onProgress?: (done: number, total: number, stage: string) => void,
): Promise<BuildEncoderResult | undefined> {
  const head = await readManifest(headDir, headManifestSchema);
  if (!head.build) return undefined;
  const file = path.join(headDir, head.file);
  const encoder = await readManifest(encoderDir, encoderManifestSchema);
  const inputs = {
    encoderSha256: encoder.sha256 ?? '',
    classesSha256: encoder.logits
      ? await sha256File(path.join(encoderDir, encoder.logits.classes)).catch(() => '')
      : '',
  };
  const actual = await sha256File(file).catch(() => undefined);
  if (actual !== undefined && actual === head.sha256 && isDeepStrictEqual(head.build.inputs, inputs)) {
    return { path: file, sha256: actual, dimension: head.output.dimension, skipped: true };
  }
  const progress = onProgress ?? (() => {});
  progress(0, 2, 'word vectors');
  const space = await loadSpace();
  progress(1, 2, 'classifier');
  const conse = await imagenetConseFor(encoderDir, space, head.build.topK);
  const bytes = buildImagenetConseOnnx(conse, head.name);
  const sha256 = sha256Hex(bytes);
  const manifest: HeadManifest = {
    ...head,
    build: { ...head.build, inputs },
    sha256,
    encoder: encoder.name,
    wordVectors: space.name,
    input: { ...head.input, dimension: encoder.output.dimension },
    output: { ...head.output, dimension: space.dimension },
  };
  await writeModelFiles(headDir, head.file, bytes, manifest);
  progress(2, 2, 'export');
  return { path: file, sha256, dimension: space.dimension, skipped: false };
}

/** The encoder's classifier layer and its classes' word vectors: what ConSE needs, as one value. */
export async function imagenetConseFor(
  encoderDir: string,
  space: WordSpace,
  topK: number,
): Promise<ImagenetConse> {
  const encoder = await readManifest(encoderDir, encoderManifestSchema);
  if (encoder.build?.converter !== 'efficientnet-lite-pytorch' || !encoder.logits) {
    throw new AppError(
      ErrorCode.CONFIG_INVALID,
      `ImageNet ConSE needs an encoder with ImageNet logits; ${encoder.name} has none`,
      { encoder: encoder.name },
    );
  }
  const weights = await loadEfficientNetCheckpoint(encoder.build, wheelCacheDir(encoderDir));
  const classes = await loadImagenetClasses(path.join(encoderDir, encoder.logits.classes));
  const vectors = classWordVectors(classes, (w) => space.lookup(w));
  const classVectors = new Float32Array(vectors.length * space.dimension);
  vectors.forEach((v, i) => classVectors.set(v, i * space.dimension));
  return {
    fcWeight: weights.get('_fc.weight')!.data,
    fcBias: weights.get('_fc.bias')!.data,
    classVectors,
    dimension: space.dimension,
    topK,
  };
}
