import path from 'node:path';
import {
  DEFAULT_SPLIT_SEED,
  DEFAULT_UNSEEN_FRACTION,
  splitByConcept,
  type SplitOptions,
} from '../eval/split.js';
import { AppError, ErrorCode } from '../errors.js';
import type { HeadManifest } from '../models/manifest.js';
import type { RuntimeOptions } from '../models/onnx-runtime.js';
import { conseBlendOf, type ConseBlend, type ConseBlendOptions } from '../training/conse-blend.js';
import { datasetFeatures, type DatasetFeatures } from '../training/dataset-features.js';
import { forwardDense, type DenseStack } from '../training/dense-stack.js';
import { chooseGamma, deshrink, meanVector, outputSpread } from '../training/deshrink.js';
import type { StageProgress } from '../training/encode-images.js';
import {
  fitMlpHead,
  fitRidgeHead,
  DEFAULT_INPUT_TRANSFORM,
  type FittedHead,
  type TargetOf,
} from '../training/fit-head.js';
import { describeArchitecture, exportHead } from '../training/head-export.js';
import { applyInputTransform, type InputTransformOptions } from '../training/input-transform.js';
import { readLabelledImages, type LabelledImage } from '../training/labelled-images.js';
import type { EpochReport, MlpConfig, MlpTrainResult } from '../training/mlp-trainer.js';
import {
  chooseValidation,
  type ValidationMode,
  type ValidationSetting,
} from '../training/validation-split.js';
import { loadWordSpace, type WordSpace, type WordSpaceOptions } from '../training/word-space.js';

export type { StageProgress };

/** Where training and evaluation read their images, features and word vectors from. */
export interface LabelledFeatureOptions {
  /** A folder per label, a `path,label` CSV, or the default dataset's JSON manifest. */
  images: string;
  encoderDir: string;
  /** Feature cache root (one sub-folder per encoder checksum), e.g. `<dataDir>/feature-cache`. */
  cacheDir: string;
  /** A preloaded word space; else `wordVectors` is loaded. */
  wordSpace?: WordSpace;
  /** The word vectors to load (the CLI passes WORD_VECTORS, LABELS_TOP_N, VOCAB_LIMIT); default glove-wink-100d. */
  wordVectors?: WordSpaceOptions;
  /** onnxruntime provider and threads (the CLI passes ORT_PROVIDER, ORT_THREADS); default CPU, all cores. */
  runtime?: RuntimeOptions;
  augment?: boolean;
}

export interface TrainHeadOptions extends LabelledFeatureOptions {
  /** Head output directory (model.onnx + manifest.json). */
  out: string;
  mlp?: Partial<MlpConfig>;
  input?: InputTransformOptions;
  /** Also fit the ridge baseline with this λ and record its validation loss; default 300. 0 = skip. */
  ridgeLambda?: number;
  /** Where to export the ridge baseline as a head too (for `evaluateHeads`); default: not exported. */
  ridgeOut?: string;
  /** Train only on concepts the zero-shot split calls seen, so `evaluateHead` can measure zero-shot. */
  holdOutUnseen?: boolean;
  split?: SplitOptions;
  /**
   * Validate on held-out whole concepts or on held-out images of the seen concepts; `auto` (default)
   * takes concepts when at least MIN_VALIDATION_CONCEPTS of them sit out (see validation-split.ts).
   */
  validation?: ValidationSetting;
  /** De-shrink factors tried on the validation concepts (see deshrink.ts); default [0.5, 1, 1.5, 2, 3], relative to the targets' spread. */
  gammas?: number[];
  /** Also train on mirrored and zoomed views of every training image. */
  augment?: boolean;
  /** Fold a ConSE blend over the training classes into the exported head (see conse-blend.ts). */
  conse?: ConseBlendOptions;
  /** Share of (seen) concepts, or images, held out for choosing the best epoch; default 0.1. */
  valFraction?: number;
  /** Resume file for the MLP; default `<out>/.checkpoint.bin`. */
  checkpointFile?: string;
  name?: string;
  provenance?: HeadManifest['provenance'];
  onProgress?: StageProgress;
  onEpoch?: (report: EpochReport) => void;
  signal?: AbortSignal;
}

export interface TrainHeadResult {
  manifest: HeadManifest;
  counts: {
    images: number;
    concepts: number;
    train: number;
    /** Training rows including augmented views. */
    trainRows: number;
    val: number;
    /** Distinct concepts among the validation images. */
    valConcepts: number;
    heldOutUnseen: number;
    heldOutUnseenConcepts: number;
    skippedImages: number;
  };
  /** How the validation rows were chosen. */
  validation: ValidationMode;
  skippedLabels: { label: string; images: number }[];
  mlp: {
    bestEpoch: number;
    bestValLoss: number;
    history: EpochReport[];
    backend: string;
    gamma: number;
    valHitAt5: Record<string, number>;
  };
  ridge?: { lambda: number; gamma: number; valLoss: number };
}

/** One encoded image: its item, feature and index into the dataset (augmented views share the index). */
interface FeatureRow {
  item: LabelledImage;
  feature: Float32Array;
  concept: string;
  index: number;
}

type FeatureSet = { items: LabelledImage[]; features: Float32Array[] };

const conceptsOf = (rows: readonly { concept: string }[]) => new Set(rows.map((r) => r.concept));
const asSet = (rows: readonly FeatureRow[]): FeatureSet => ({
  items: rows.map((r) => r.item),
  features: rows.map((r) => r.feature),
});

function cosineLoss(
  stackPredict: (x: Float32Array) => Float32Array,
  xs: readonly Float32Array[],
  ys: readonly Float32Array[],
): number {
  let sum = 0;
  xs.forEach((x, i) => {
    const p = stackPredict(x);
    const y = ys[i]!;
    let dot = 0;
    let pp = 0;
    let yy = 0;
    for (let j = 0; j < p.length; j++) {
      dot += p[j]! * y[j]!;
      pp += p[j]! ** 2;
      yy += y[j]! ** 2;
    }
    sum += 1 - dot / (Math.sqrt(pp * yy) || 1);
  });
  return xs.length ? sum / xs.length : 0;
}

/** Word space + labelled images + their encoder features (cached): the input of training and evaluation. */
export async function loadLabelledFeatures(options: LabelledFeatureOptions, progress: StageProgress) {
  progress('word-vectors', 0, 1);
  const space = options.wordSpace ?? (await loadWordSpace(options.wordVectors));
  progress('word-vectors', 1, 1);
  const labelled = await readLabelledImages(options.images, {
    isKnown: (w: string) => space.lookup(w) !== undefined,
    isNoun: (w: string) => space.nouns.has(w),
  });
  const data = await datasetFeatures(labelled.items, {
    encoderDir: options.encoderDir,
    cacheDir: options.cacheDir,
    onProgress: progress,
    ...(options.runtime ? { runtime: options.runtime } : {}),
    ...(options.augment ? { augment: ['flop', 'zoom'] as const } : {}),
  });
  return { space, labelled, data };
}

/** Refuses a dataset with fewer than two usable images, naming what was dropped and why. */
function checkUsable(
  labelled: { skippedLabels: { label: string }[] },
  data: DatasetFeatures,
  options: { images: string; wordVectors: string },
): void {
  if (data.items.length >= 2) return;
  const skipped = labelled.skippedLabels.map((s) => s.label);
  const notes = [
    ...(skipped.length
      ? [`labels with no noun known to ${options.wordVectors}: ${skipped.slice(0, 8).join(', ')}`]
      : []),
    ...(data.skipped.length ? [`${data.skipped.length} images failed to decode`] : []),
  ];
  throw new AppError(
    ErrorCode.BAD_USER_INPUT,
    `need at least two labelled images to train; ${options.images} gave ${data.items.length}` +
      (notes.length ? ` (${notes.join('; ')})` : ''),
  );
}

/** Zero-shot hold-out (optional), then training / validation rows inside the seen concepts. */
function splitRows(data: DatasetFeatures, options: TrainHeadOptions) {
  const rows: FeatureRow[] = data.items.map((item, i) => ({
    item,
    feature: data.features[i]!,
    concept: item.concept,
    index: i,
  }));
  const { seen, unseen } = options.holdOutUnseen
    ? splitByConcept(rows, options.split)
    : { seen: rows, unseen: [] };
  if (rows.length > 0 && seen.length === 0) {
    throw new AppError(
      ErrorCode.BAD_USER_INPUT,
      `--zero-shot held out all ${conceptsOf(unseen).size} concepts as unseen, leaving none to train on; ` +
        'add labelled folders or train without --zero-shot',
    );
  }
  const choice = chooseValidation(
    seen,
    options.validation ?? 'auto',
    options.valFraction ?? 0.1,
    options.split?.seed,
  );
  return { ...choice, unseen };
}

/** The training rows plus their augmented views (validation stays on the original images). */
function withViews(train: readonly FeatureRow[], data: DatasetFeatures): FeatureSet {
  const views = Object.values(data.augmented);
  return asSet([
    ...train,
    ...views.flatMap((v) => train.flatMap((r) => (v[r.index] ? [{ ...r, feature: v[r.index]! }] : []))),
  ]);
}

/** Picks a head's de-shrink factor on the validation rows and returns the de-shrunk stack. */
function tuneDeshrink(
  head: FittedHead,
  trainSet: FeatureSet,
  val: readonly FeatureRow[],
  targetOf: TargetOf,
  gammas: readonly number[],
  mode: ValidationMode,
) {
  const meanTarget = meanVector(trainSet.items.flatMap((i) => targetOf(i.concept) ?? []));
  // Every other training row is plenty to measure a mean and a spread.
  const idx = trainSet.items
    .map((_, i) => i)
    .filter((i) => i % 2 === 0 && targetOf(trainSet.items[i]!.concept));
  const spread = outputSpread(
    idx.map((i) => forwardDense(head.stack, applyInputTransform(head.transform, trainSet.features[i]!))),
    idx.map((i) => targetOf(trainSet.items[i]!.concept)!),
  );
  const chosen = chooseGamma(
    head.stack,
    meanTarget,
    gammas,
    {
      predict: (stack: DenseStack) =>
        val.map((v) => forwardDense(stack, applyInputTransform(head.transform, v.feature))),
      concepts: val.map((v) => v.concept),
      // Held-out images of seen concepts: rank among every seen concept, not just the few held out.
      ...(mode === 'images' ? { candidates: [...conceptsOf(trainSet.items)] } : {}),
    },
    targetOf,
    spread,
  );
  return { ...chosen, stack: deshrink(head.stack, meanTarget, chosen.gamma, spread) };
}

const provenanceOf = (options: TrainHeadOptions): HeadManifest['provenance'] =>
  options.provenance ?? {
    source: `trained by visem on ${options.images}`,
    license: 'same as the training images',
  };

/** The closed-form baseline on the same rows: its validation loss, and optionally an exported head. */
async function ridgeBaseline(
  options: TrainHeadOptions,
  lambda: number,
  sets: { trainSet: FeatureSet; val: readonly FeatureRow[]; mode: ValidationMode },
  targetOf: TargetOf,
  info: { encoder: string; wordVectors: string; input: InputTransformOptions; gammas: readonly number[] },
): Promise<NonNullable<TrainHeadResult['ridge']>> {
  options.onProgress?.('ridge', 0, 1);
  const r = fitRidgeHead(sets.trainSet, targetOf, lambda, info.input);
  const tuned = tuneDeshrink(r, sets.trainSet, sets.val, targetOf, info.gammas, sets.mode);
  const valRows = sets.val.filter((v) => targetOf(v.concept));
  const valLoss = cosineLoss(
    (x) => forwardDense(r.stack, applyInputTransform(r.transform, x)),
    valRows.map((v) => v.feature),
    valRows.map((v) => targetOf(v.concept)!),
  );
  if (options.ridgeOut) {
    await exportHead(options.ridgeOut, tuned.stack, r.transform, {
      name: `${options.name ?? path.basename(options.out)}-ridge`,
      encoder: info.encoder,
      wordVectors: info.wordVectors,
      architecture: `ridge λ=${lambda} (${describeArchitecture(r.stack, r.transform)})`,
      training: {
        lambda,
        input: info.input,
        deshrink: { gamma: tuned.gamma, valHitAt5ByGamma: tuned.valHitAt5 },
      },
      metrics: { valLoss },
      provenance: provenanceOf(options),
    });
  }
  options.onProgress?.('ridge', 1, 1);
  return { lambda, gamma: tuned.gamma, valLoss };
}

/** The manifest's `training` record: the recipe, the split and what was chosen on validation. */
function trainingRecord(
  options: TrainHeadOptions,
  r: {
    result: MlpTrainResult;
    input: InputTransformOptions;
    mode: ValidationMode;
    counts: TrainHeadResult['counts'];
    gamma: { gamma: number; valHitAt5: Record<string, number> };
    blend: ConseBlend | undefined;
    data: DatasetFeatures;
  },
): Record<string, unknown> {
  const { config } = r.result;
  return {
    images: options.images,
    config,
    input: r.input,
    lossFunction:
      config.loss === 'softmax'
        ? `softmax cross-entropy over cos(pred, label) / ${config.temperature} across the training labels`
        : '1 - cos(pred, target)',
    optimizer: 'adam',
    backend: r.result.backend,
    split: options.holdOutUnseen
      ? {
          seed: options.split?.seed ?? DEFAULT_SPLIT_SEED,
          unseenFraction: options.split?.unseenFraction ?? DEFAULT_UNSEEN_FRACTION,
          heldOutUnseenImages: r.counts.heldOutUnseen,
        }
      : 'none',
    validation: { by: r.mode, images: r.counts.val, concepts: r.counts.valConcepts },
    trainImages: r.counts.train,
    // Rows the MLP saw per epoch: the training images plus their augmented views.
    trainRows: r.counts.trainRows,
    valImages: r.counts.val,
    bestEpoch: r.result.bestEpoch,
    augment: options.augment ? ['flop', 'zoom'] : [],
    deshrink: { gamma: r.gamma.gamma, valHitAt5ByGamma: r.gamma.valHitAt5 },
    ...(r.blend ? { conse: { ...options.conse, classes: r.blend.classes } } : {}),
    encoderSha256: r.data.encoder.sha256,
  };
}

function countsOf(
  data: DatasetFeatures,
  split: { train: FeatureRow[]; trainSet: FeatureSet; val: FeatureRow[]; unseen: FeatureRow[] },
): TrainHeadResult['counts'] {
  return {
    images: data.items.length,
    concepts: conceptsOf(data.items).size,
    train: split.train.length,
    trainRows: split.trainSet.items.length,
    val: split.val.length,
    valConcepts: conceptsOf(split.val).size,
    heldOutUnseen: split.unseen.length,
    heldOutUnseenConcepts: conceptsOf(split.unseen).size,
    skippedImages: data.skipped.length,
  };
}

/** labelled images → decode → encode (feature cache) → train MLP (+ ridge baseline) → export the head. */
export async function trainHead(options: TrainHeadOptions): Promise<TrainHeadResult> {
  const progress = options.onProgress ?? (() => undefined);
  const { space, labelled, data } = await loadLabelledFeatures(options, progress);
  checkUsable(labelled, data, { images: options.images, wordVectors: space.name });
  const { mode, train, val, unseen } = splitRows(data, options);
  const trainSet = withViews(train, data);
  const targetOf: TargetOf = (concept) => space.labelVector(concept);
  const input = options.input ?? DEFAULT_INPUT_TRANSFORM;
  const gammas = options.gammas ?? [0.5, 1, 1.5, 2, 3];

  const fitted = await fitMlpHead(trainSet, asSet(val), targetOf, {
    input,
    ...(options.mlp ? { mlp: options.mlp } : {}),
    checkpointFile: options.checkpointFile ?? path.join(options.out, '.checkpoint.bin'),
    onEpoch: (r) => {
      progress('train', r.epoch, r.epochs);
      options.onEpoch?.(r);
    },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const chosen = tuneDeshrink(fitted, trainSet, val, targetOf, gammas, mode);
  // Every seen concept joins the blend, the validation ones too (only the unseen split stays out).
  const blend = options.conse
    ? conseBlendOf(
        [...trainSet.items, ...val.map((v) => v.item)].flatMap((i) => targetOf(i.concept) ?? []),
        options.conse,
      )
    : undefined;

  const lambda = options.ridgeLambda ?? 300;
  const info = { encoder: data.encoder.name, wordVectors: space.name, input, gammas };
  const ridge =
    lambda > 0 ? await ridgeBaseline(options, lambda, { trainSet, val, mode }, targetOf, info) : undefined;

  progress('export', 0, 1);
  const result = fitted.result;
  const counts = countsOf(data, { train, trainSet, val, unseen });
  const manifest = await exportHead(options.out, chosen.stack, fitted.transform, {
    name: options.name ?? path.basename(options.out),
    encoder: data.encoder.name,
    wordVectors: space.name,
    architecture: describeArchitecture(chosen.stack, fitted.transform, blend),
    ...(blend ? { blend } : {}),
    training: trainingRecord(options, { result, input, mode, counts, gamma: chosen, blend, data }),
    metrics: {
      bestValLoss: result.bestValLoss,
      ...(ridge ? { ridgeValLoss: ridge.valLoss, ridgeLambda: ridge.lambda } : {}),
    },
    provenance: provenanceOf(options),
  });
  progress('export', 1, 1);
  return {
    manifest,
    counts,
    validation: mode,
    skippedLabels: labelled.skippedLabels,
    mlp: {
      bestEpoch: result.bestEpoch,
      bestValLoss: result.bestValLoss,
      history: result.history,
      backend: result.backend,
      gamma: chosen.gamma,
      valHitAt5: chosen.valHitAt5,
    },
    ...(ridge ? { ridge } : {}),
  };
}
