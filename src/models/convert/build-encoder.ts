import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { AppError, ErrorCode } from '../../errors.js';
import { encoderManifestSchema, readManifest, type EncoderManifest, type NsfwjsRecipe } from '../manifest.js';
import { sha256File, sha256Hex, writeModelFiles } from '../model-files.js';
import { buildEfficientNetEncoder } from './build-efficientnet.js';
import { kerasLayers, kerasToOnnx, type Pooling } from './keras-to-onnx.js';
import { loadNsfwjsArtifacts, nsfwjsModelDir, type NsfwjsModel } from './tfjs-artifacts.js';

export type BuildStage = 'load' | 'convert' | 'serialize' | 'write';

export interface BuildEncoderOptions {
  model: NsfwjsModel;
  cutLayer: string;
  pooling: Pooling[];
  outDir: string;
  name: string;
  /** Square input side; defaults to the model's own (299 InceptionV3, 224 MobileNetV2). */
  inputSize?: number;
  /** Rebuild even when the existing file and manifest match. */
  force?: boolean;
  onProgress?: (done: number, total: number, stage: BuildStage) => void;
}

export interface BuildEncoderResult {
  path: string;
  sha256: string;
  dimension: number;
  skipped: boolean;
}

const INPUT_NAME = 'image';
const OUTPUT_NAME = 'features';
const MODEL_FILE = 'model.onnx';

/**
 * Converts an nsfwjs Keras model, cut at `cutLayer` and globally pooled, to `<outDir>/model.onnx` plus
 * `manifest.json`. Skips when the manifest already records this recipe and the file's sha256 matches.
 */
export async function buildEncoder(opts: BuildEncoderOptions): Promise<BuildEncoderResult> {
  const existing = await readExisting(opts.outDir);
  if (existing && !opts.force) {
    const m = existing.manifest;
    const sameRecipe =
      isDeepStrictEqual(m.build, recipeOf(opts)) &&
      m.name === opts.name &&
      (opts.inputSize === undefined ||
        (m.input.width === opts.inputSize && m.input.height === opts.inputSize));
    if (sameRecipe && existing.actualSha !== undefined && existing.actualSha === m.sha256) {
      return {
        path: existing.file,
        sha256: existing.actualSha,
        dimension: m.output.dimension,
        skipped: true,
      };
    }
  }
  return build(opts, undefined);
}

/**
 * Makes sure a model directory whose manifest carries a `build` recipe has its ONNX file: rebuilds only
 * when the file is missing or its checksum is wrong. Manifests without a recipe are just verified.
 */
export async function ensureEncoderBuilt(
  modelDir: string,
  onProgress?: BuildEncoderOptions['onProgress'],
): Promise<BuildEncoderResult> {
  const manifest = await readManifest(modelDir, encoderManifestSchema);
  const file = path.join(modelDir, manifest.file);
  const actual = await sha256File(file).catch(() => undefined);
  const ok = actual !== undefined && (manifest.sha256 === undefined || actual === manifest.sha256);
  if (ok) return { path: file, sha256: actual, dimension: manifest.output.dimension, skipped: true };
  if (!manifest.build) {
    const why = actual === undefined ? 'missing' : 'corrupt (checksum mismatch)';
    throw new AppError(
      ErrorCode.MODEL_UNAVAILABLE,
      `model file ${why} and the manifest has no build recipe: ${file}`,
      {
        file,
      },
    );
  }
  if (manifest.input.width !== manifest.input.height) {
    throw new AppError(ErrorCode.CONFIG_INVALID, `${modelDir}: buildable encoders take square inputs`, {
      modelDir,
    });
  }
  if (manifest.build.converter === 'efficientnet-lite-pytorch') {
    return buildEfficientNetEncoder(modelDir, { ...manifest, build: manifest.build }, onProgress);
  }
  const opts: BuildEncoderOptions = {
    ...manifest.build,
    outDir: modelDir,
    name: manifest.name,
    inputSize: manifest.input.width,
    ...(onProgress ? { onProgress } : {}),
  };
  // Keep the committed manifest (notes, names) and only refresh what the build determines.
  return build(opts, manifest);
}

async function build(
  opts: BuildEncoderOptions,
  keep: EncoderManifest | undefined,
): Promise<BuildEncoderResult> {
  const progress = opts.onProgress ?? (() => {});
  progress(0, 1, 'load');
  const artifacts = await loadNsfwjsArtifacts(opts.model);
  if (artifacts.format !== 'layers-model') {
    throw new AppError(
      ErrorCode.CONFIG_INVALID,
      `nsfwjs model ${opts.model} is a TF GraphModel, not a Keras layers model; only inception_v3 and mobilenet_v2 convert`,
      { model: opts.model },
    );
  }
  progress(1, 1, 'load');
  const size = opts.inputSize ? { height: opts.inputSize, width: opts.inputSize } : undefined;
  const converted = kerasToOnnx(artifacts.modelTopology, artifacts.weights, {
    cutLayer: opts.cutLayer,
    pooling: opts.pooling,
    inputName: INPUT_NAME,
    outputName: OUTPUT_NAME,
    ...(size ? { inputSize: size } : {}),
    onProgress: (done, total) => progress(done, total, 'convert'),
  });
  progress(0, 1, 'serialize');
  const recipe = recipeOf(opts);
  const nsfwjsVersion = await readNsfwjsVersion();
  const bytes = converted.builder.toBytes({
    'visem.recipe': JSON.stringify(recipe),
    'visem.source': `nsfwjs@${nsfwjsVersion}/${opts.model}`,
    'visem.input': `NHWC float32 [batch,${converted.inputSize.height},${converted.inputSize.width},3], RGB/255`,
  });
  const sha256 = sha256Hex(bytes);
  progress(1, 1, 'serialize');

  progress(0, 1, 'write');
  await mkdir(opts.outDir, { recursive: true });
  const fresh = manifestFor(
    opts,
    converted.inputSize.width,
    converted.inputSize.height,
    converted.dimension,
    sha256,
  );
  const manifest: EncoderManifest = keep
    ? { ...keep, sha256, output: { ...keep.output, dimension: converted.dimension } }
    : {
        ...fresh,
        provenance: provenanceFor(
          opts.model,
          opts.cutLayer,
          nsfwjsVersion,
          kerasLayers(artifacts.modelTopology),
        ),
      };
  const file = await writeModelFiles(opts.outDir, keep?.file ?? MODEL_FILE, bytes, manifest);
  progress(1, 1, 'write');
  return { path: file, sha256, dimension: converted.dimension, skipped: false };
}

function recipeOf(opts: Pick<BuildEncoderOptions, 'model' | 'cutLayer' | 'pooling'>): NsfwjsRecipe {
  return {
    converter: 'nsfwjs-keras',
    model: opts.model,
    cutLayer: opts.cutLayer,
    pooling: [...opts.pooling],
  };
}

function manifestFor(
  opts: BuildEncoderOptions,
  width: number,
  height: number,
  dimension: number,
  sha256: string,
) {
  return {
    kind: 'image-encoder' as const,
    name: opts.name,
    file: MODEL_FILE,
    sha256,
    // nsfwjs feeds RGB/255 squashed (bilinear) to the square input; the weights expect exactly that.
    input: {
      name: INPUT_NAME,
      width,
      height,
      layout: 'NHWC' as const,
      resize: 'fill' as const,
      scale: 255,
      mean: [0, 0, 0] as [number, number, number],
      std: [1, 1, 1] as [number, number, number],
    },
    output: { name: OUTPUT_NAME, dimension },
    build: recipeOf(opts),
  };
}

function provenanceFor(
  model: NsfwjsModel,
  cutLayer: string,
  version: string,
  layers: { name: string; config: Record<string, unknown> }[],
): EncoderManifest['provenance'] {
  // The frozen/fine-tuned split is read from the `trainable` flags in nsfwjs's shipped Keras topology.
  const firstTuned = layers.find((l) => l.config.trainable === true)?.name;
  const lastBlock = layers
    .slice(
      0,
      layers.findIndex((l) => l.name === firstTuned),
    )
    .filter((l) => /^(mixed\d+|block_\d+_project_BN)$/.test(l.name))
    .pop()?.name;
  const split = firstTuned
    ? `ImageNet weights up to ${lastBlock ?? 'the stem'} frozen; ${firstTuned} onward fine-tuned by nsfwjs on its 5-class NSFW data`
    : 'ImageNet weights, all frozen';
  return {
    source: `nsfwjs@${version} (https://github.com/infinitered/nsfwjs) ${model} TF.js Keras weights (uint8-quantized), converted by visem`,
    license: 'MIT',
    notes: `${split}. Cut at ${cutLayer} with global pooling appended; the classifier head is dropped.`,
  };
}

async function readExisting(
  dir: string,
): Promise<{ manifest: EncoderManifest; file: string; actualSha?: string } | undefined> {
  let manifest: EncoderManifest;
  try {
    manifest = await readManifest(dir, encoderManifestSchema);
  } catch {
    return undefined;
  }
  const file = path.join(dir, manifest.file);
  const actualSha = await sha256File(file).catch(() => undefined);
  return { manifest, file, ...(actualSha ? { actualSha } : {}) };
}

async function readNsfwjsVersion(): Promise<string> {
  const pkg = path.join(nsfwjsModelDir('inception_v3'), '..', '..', '..', 'package.json');
  const { version } = JSON.parse(await readFile(pkg, 'utf8')) as { version?: string };
  return version ?? 'unknown';
}
