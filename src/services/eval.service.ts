import { evaluateItems, METRICS_HEADER, metricsRows, type ItemsEvaluation } from '../eval/evaluate-items.js';
import { evaluatePhotos, loadPhotoSet, photoItems, photoRows, type PhotoReport } from '../eval/photo-eval.js';
import type { SplitOptions } from '../eval/split.js';
import type { HeadManifest } from '../models/manifest.js';
import { OnnxRuntime } from '../models/onnx-runtime.js';
import { ProjectionHead } from '../models/projection-head.js';
import { datasetFeatures } from '../training/dataset-features.js';
import type { StageProgress } from '../training/encode-images.js';
import { loadWordSpace, type WordSpace } from '../training/word-space.js';
import { loadLabelledFeatures } from './training.service.js';

export interface EvaluateHeadOptions {
  /** Folder per label, `path,label` CSV, or the default dataset's JSON manifest. */
  images: string;
  /** Head directories to compare (e.g. the MLP and a ridge baseline); each is evaluated on the same split. */
  headDirs: string[];
  encoderDir: string;
  cacheDir: string;
  wordSpace?: WordSpace;
  /** Must match the split the heads were trained with (`trainHead({ holdOutUnseen: true })`). */
  split?: SplitOptions;
  examples?: number;
  onProgress?: StageProgress;
}

export interface EvaluateHeadResult {
  heads: { dir: string; name: string; evaluation: ItemsEvaluation }[];
  /** Header + one row per metric per head, for a table. */
  table: string[][];
  /** Heads whose numbers are not held out (trained on every concept: `training.split: none`). */
  warnings: string[];
}

/** Why a head's zero-shot numbers would not be held out: it was trained on every concept. */
export function holdOutWarning(manifest: HeadManifest): string | undefined {
  if (manifest.training?.split !== 'none') return undefined;
  return (
    `${manifest.name} was trained on every concept (training.split: none): its "unseen" rows are not ` +
    'held out; train with --zero-shot to measure it'
  );
}

/** dataset + heads → zero-shot metrics on the unseen concepts (same deterministic split as training). */
export async function evaluateHeads(options: EvaluateHeadOptions): Promise<EvaluateHeadResult> {
  const progress = options.onProgress ?? (() => undefined);
  const { space, data } = await loadLabelledFeatures(options, progress);
  const runtime = new OnnxRuntime({ provider: 'cpu', intraOpThreads: 0 });
  const heads: EvaluateHeadResult['heads'] = [];
  const table = [METRICS_HEADER];
  const warnings: string[] = [];
  try {
    for (const [h, dir] of options.headDirs.entries()) {
      const head = await ProjectionHead.load(dir, runtime);
      const warning = holdOutWarning(head.manifest);
      if (warning) warnings.push(warning);
      const predictions = new Map<number, Float32Array>();
      for (let s = 0; s < data.features.length; s += 256) {
        const batch = await head.project(data.features.slice(s, s + 256));
        batch.forEach((p, i) => predictions.set(s + i, p));
      }
      progress('evaluate', h + 1, options.headDirs.length);
      const evaluation = evaluateItems(
        data.items,
        predictions,
        space.labels,
        (l) => space.labelVector(l),
        options.split,
        options.examples,
      );
      heads.push({ dir, name: head.manifest.name, evaluation });
      const name = warning ? `${head.manifest.name} (NOT held out)` : head.manifest.name;
      table.push(...metricsRows(name, evaluation.report));
    }
  } finally {
    await runtime.release();
  }
  return { heads, table, warnings };
}

export interface EvaluatePhotosOptions {
  /** The photo set's manifest (test/fixtures/photos/photos.json). */
  photoSet: string;
  /** Encoder + head pairs to compare on the same photos (e.g. the default and the nsfwjs fallback). */
  pipelines: { encoderDir: string; headDir: string }[];
  cacheDir: string;
  wordSpace?: WordSpace;
  onProgress?: StageProgress;
}

export interface EvaluatePhotosResult {
  pipelines: { name: string; report: PhotoReport }[];
  table: string[][];
}

/** Held-out photographs → each pipeline's predictions → tag and words→images metrics. */
export async function evaluatePhotoSet(options: EvaluatePhotosOptions): Promise<EvaluatePhotosResult> {
  const progress = options.onProgress ?? (() => undefined);
  const space = options.wordSpace ?? (await loadWordSpace());
  const photos = await loadPhotoSet(options.photoSet);
  const items = photoItems(photos);
  const runtime = new OnnxRuntime({ provider: 'cpu', intraOpThreads: 0 });
  const result: EvaluatePhotosResult = { pipelines: [], table: [METRICS_HEADER] };
  try {
    for (const pipeline of options.pipelines) {
      const data = await datasetFeatures(items, {
        ...pipeline,
        cacheDir: options.cacheDir,
        onProgress: progress,
      });
      if (data.skipped.length) {
        throw new Error(
          `photos failed to decode: ${data.skipped.map((s) => `${s.path}: ${s.reason}`).join('; ')}`,
        );
      }
      const head = await ProjectionHead.load(pipeline.headDir, runtime);
      const report = evaluatePhotos({
        predictions: await head.project(data.features),
        photos,
        labels: space.labels,
        vectorOf: (w) => space.labelVector(w),
      });
      const name = `${data.encoder.name} + ${head.manifest.name}`;
      result.pipelines.push({ name, report });
      result.table.push(...photoRows(name, report));
    }
  } finally {
    await runtime.release();
  }
  return result;
}
