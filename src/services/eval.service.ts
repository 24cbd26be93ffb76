import {
  evaluateItems,
  hasTrivialCells,
  METRICS_HEADER,
  metricsRows,
  type ItemsEvaluation,
} from '../eval/evaluate-items.js';
import { evaluatePhotos, loadPhotoSet, photoItems, photoRows, type PhotoReport } from '../eval/photo-eval.js';
import { DEFAULT_UNSEEN_FRACTION, splitByConcept, type SplitOptions } from '../eval/split.js';
import { AppError, ErrorCode } from '../errors.js';
import type { HeadManifest } from '../models/manifest.js';
import { OnnxRuntime, type RuntimeOptions } from '../models/onnx-runtime.js';
import { ProjectionHead } from '../models/projection-head.js';
import { datasetFeatures } from '../training/dataset-features.js';
import type { StageProgress } from '../training/encode-images.js';
import type { LabelledImage } from '../training/labelled-images.js';
import { loadWordSpace, type WordSpace, type WordSpaceOptions } from '../training/word-space.js';
import { evaluateRelevance, relevanceRows } from './relevance-eval.service.js';
import { loadLabelledFeatures } from './training.service.js';

/**
 * Below these, zero-shot numbers say nothing: with 2 unseen concepts hit@1 is a coin toss and hit@5 is
 * 100 % by construction. About 20 labelled concepts give 5 unseen ones at the default 25 % split.
 */
export const MIN_EVAL_UNSEEN_CONCEPTS = 5;
export const MIN_EVAL_IMAGES = 10;

/** The default runtime when a caller passes none (scripts, tests): CPU, onnxruntime's thread count. */
const CPU_RUNTIME: RuntimeOptions = { provider: 'cpu', intraOpThreads: 0 };

export interface EvaluateHeadOptions {
  /** Folder per label, `path,label` CSV, or the default dataset's JSON manifest. */
  images: string;
  /** Head directories to compare (e.g. the MLP and a ridge baseline); each is evaluated on the same split. */
  headDirs: string[];
  encoderDir: string;
  cacheDir: string;
  wordSpace?: WordSpace;
  /** The word vectors to load when `wordSpace` is not given (the CLI passes WORD_VECTORS etc.). */
  wordVectors?: WordSpaceOptions;
  /** onnxruntime provider and threads (the CLI passes ORT_PROVIDER, ORT_THREADS); default CPU. */
  runtime?: RuntimeOptions;
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

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** Refuses a split whose unseen side is too small to measure anything (see MIN_EVAL_UNSEEN_CONCEPTS). */
export function checkEvaluationSize(
  items: readonly LabelledImage[],
  space: WordSpace,
  options: { images: string; split?: SplitOptions },
): void {
  const { unseen } = splitByConcept(
    items.filter((i) => space.labelVector(i.concept)),
    options.split,
  );
  const concepts = new Set(unseen.map((u) => u.concept)).size;
  if (concepts >= MIN_EVAL_UNSEEN_CONCEPTS && unseen.length >= MIN_EVAL_IMAGES) return;
  const fraction = options.split?.unseenFraction ?? DEFAULT_UNSEEN_FRACTION;
  throw new AppError(
    ErrorCode.BAD_USER_INPUT,
    `too few held-out images to evaluate: the zero-shot split (${Math.round(100 * fraction)} % of concepts ` +
      `unseen) leaves ${plural(concepts, 'unseen concept')} with ${plural(unseen.length, 'image')} in ${options.images}; ` +
      `need at least ${MIN_EVAL_UNSEEN_CONCEPTS} concepts and ${MIN_EVAL_IMAGES} images ` +
      `(about ${Math.ceil(MIN_EVAL_UNSEEN_CONCEPTS / fraction)} labelled concepts in all)`,
    { unseenConcepts: concepts, unseenImages: unseen.length },
  );
}

/** dataset + heads → zero-shot metrics on the unseen concepts (same deterministic split as training). */
export async function evaluateHeads(options: EvaluateHeadOptions): Promise<EvaluateHeadResult> {
  const progress = options.onProgress ?? (() => undefined);
  const { space, data } = await loadLabelledFeatures(options, progress);
  checkEvaluationSize(data.items, space, options);
  const runtime = new OnnxRuntime(options.runtime ?? CPU_RUNTIME);
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
  if (heads.some((h) => hasTrivialCells(h.evaluation.report)))
    warnings.push(
      "'-' marks hit@k where k reaches the number of labels ranked among (100 % by construction)",
    );
  return { heads, table, warnings };
}

export interface EvaluatePhotosOptions {
  /** The photo set's manifest (test/fixtures/photos/photos.json). */
  photoSet: string;
  /** Encoder + head pairs to compare on the same photos (e.g. the default and the nsfwjs fallback). */
  pipelines: { encoderDir: string; headDir: string }[];
  cacheDir: string;
  wordSpace?: WordSpace;
  wordVectors?: WordSpaceOptions;
  runtime?: RuntimeOptions;
  onProgress?: StageProgress;
}

export interface EvaluatePhotosResult {
  pipelines: { name: string; report: PhotoReport }[];
  table: string[][];
}

/** Held-out photographs → each pipeline's predictions → tag and words→images metrics. */
export async function evaluatePhotoSet(options: EvaluatePhotosOptions): Promise<EvaluatePhotosResult> {
  const progress = options.onProgress ?? (() => undefined);
  const space = options.wordSpace ?? (await loadWordSpace(options.wordVectors));
  const photos = await loadPhotoSet(options.photoSet);
  const items = photoItems(photos);
  const runtime = options.runtime ?? CPU_RUNTIME;
  const heads = new OnnxRuntime(runtime);
  const result: EvaluatePhotosResult = { pipelines: [], table: [METRICS_HEADER] };
  try {
    for (const pipeline of options.pipelines) {
      const data = await datasetFeatures(items, {
        ...pipeline,
        cacheDir: options.cacheDir,
        runtime,
        onProgress: progress,
      });
      if (data.skipped.length) {
        throw new AppError(
          ErrorCode.BAD_USER_INPUT,
          `photos failed to decode: ${data.skipped.map((s) => `${s.path}: ${s.reason}`).join('; ')}`,
        );
      }
      const head = await ProjectionHead.load(pipeline.headDir, heads);
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
    await heads.release();
  }
  return result;
}

export interface EvaluationOptions {
  /** Labelled images for the zero-shot split (`evaluateHeads`). */
  images?: string;
  /** A photo set manifest (`evaluatePhotoSet`). */
  photos?: string;
  headDirs: string[];
  encoderDir: string;
  /** More encoder + head pairs for the photos only (e.g. the nsfwjs baseline). */
  photoBaselines?: { encoderDir: string; headDir: string }[];
  /** With `photos`: also the relevance report of each head. */
  relevance?: boolean;
  cacheDir: string;
  wordVectors?: WordSpaceOptions;
  runtime: RuntimeOptions;
  onProgress?: StageProgress;
}

/** `visem eval`: the requested evaluations over one word space and runtime setting; tables to print. */
export async function runEvaluation(
  options: EvaluationOptions,
): Promise<{ tables: string[][][]; warnings: string[] }> {
  if (!options.images && !options.photos)
    throw new AppError(ErrorCode.BAD_USER_INPUT, 'give --images, --photos or both');
  const { cacheDir, runtime, headDirs, encoderDir } = options;
  const wordSpace = await loadWordSpace(options.wordVectors);
  const common = {
    cacheDir,
    runtime,
    wordSpace,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
  const tables: string[][][] = [];
  const warnings: string[] = [];
  if (options.images) {
    const result = await evaluateHeads({ ...common, images: options.images, headDirs, encoderDir });
    tables.push(result.table);
    warnings.push(...result.warnings);
  }
  if (options.photos) {
    const pipelines = [
      ...headDirs.map((headDir) => ({ encoderDir, headDir })),
      ...(options.photoBaselines ?? []),
    ];
    tables.push((await evaluatePhotoSet({ ...common, photoSet: options.photos, pipelines })).table);
    for (const headDir of options.relevance ? headDirs : []) {
      const report = await evaluateRelevance({
        photoSet: options.photos,
        encoderDir,
        headDir,
        runtime,
        wordSpace,
      });
      tables.push([['relevance', 'measured'], ...relevanceRows(report)]);
    }
  }
  return { tables, warnings };
}
