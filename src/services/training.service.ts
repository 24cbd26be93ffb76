import path from 'node:path';
import {
  DEFAULT_SPLIT_SEED,
  DEFAULT_UNSEEN_FRACTION,
  splitByConcept,
  validationSplit,
  type SplitOptions,
} from '../eval/split.js';
import type { HeadManifest } from '../models/manifest.js';
import { conseBlendOf, type ConseBlendOptions } from '../training/conse-blend.js';
import { datasetFeatures } from '../training/dataset-features.js';
import { forwardDense, type DenseStack } from '../training/dense-stack.js';
import { chooseGamma, deshrink, meanVector, outputSpread } from '../training/deshrink.js';
import type { StageProgress } from '../training/encode-images.js';
import { fitMlpHead, fitRidgeHead, DEFAULT_INPUT_TRANSFORM } from '../training/fit-head.js';
import { describeArchitecture, exportHead } from '../training/head-export.js';
import {
  applyInputTransform,
  type InputTransform,
  type InputTransformOptions,
} from '../training/input-transform.js';
import { readLabelledImages } from '../training/labelled-images.js';
import type { EpochReport, MlpConfig } from '../training/mlp-trainer.js';
import { loadWordSpace, type WordSpace } from '../training/word-space.js';

export type { StageProgress };

export interface TrainHeadOptions {
  /** A folder per label, a `path,label` CSV, or the default dataset's JSON manifest. */
  images: string;
  /** Head output directory (model.onnx + manifest.json). */
  out: string;
  encoderDir: string;
  /** Feature cache root (one sub-folder per encoder checksum), e.g. `<dataDir>/feature-cache`. */
  cacheDir: string;
  /** A preloaded word space (else glove-wink-100d is streamed, ~15 s). */
  wordSpace?: WordSpace;
  mlp?: Partial<MlpConfig>;
  input?: InputTransformOptions;
  /** Also fit the ridge baseline with this λ and record its validation loss; default 300. 0 = skip. */
  ridgeLambda?: number;
  /** Where to export the ridge baseline as a head too (for `evaluateHeads`); default: not exported. */
  ridgeOut?: string;
  /** Train only on concepts the zero-shot split calls seen, so `evaluateHead` can measure zero-shot. */
  holdOutUnseen?: boolean;
  split?: SplitOptions;
  /** De-shrink factors tried on the validation concepts (see deshrink.ts); default [0.5, 1, 1.5, 2, 3], relative to the targets' spread. */
  gammas?: number[];
  /** Also train on mirrored and zoomed views of every training image. */
  augment?: boolean;
  /** Fold a ConSE blend over the training classes into the exported head (see conse-blend.ts). */
  conse?: ConseBlendOptions;
  /** Share of (seen) concepts held out for choosing the best epoch; default 0.1. */
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
    heldOutUnseen: number;
    skippedImages: number;
  };
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
export async function loadLabelledFeatures(
  options: { images: string; encoderDir: string; cacheDir: string; wordSpace?: WordSpace; augment?: boolean },
  progress: StageProgress,
) {
  progress('word-vectors', 0, 1);
  const space = options.wordSpace ?? (await loadWordSpace());
  progress('word-vectors', 1, 1);
  const labelled = await readLabelledImages(options.images, {
    isKnown: (w: string) => space.lookup(w) !== undefined,
    isNoun: (w: string) => space.nouns.has(w),
  });
  const data = await datasetFeatures(labelled.items, {
    encoderDir: options.encoderDir,
    cacheDir: options.cacheDir,
    onProgress: progress,
    ...(options.augment ? { augment: ['flop', 'zoom'] as const } : {}),
  });
  return { space, labelled, data };
}

/** labelled images → decode → encode (feature cache) → train MLP (+ ridge baseline) → export the head. */
export async function trainHead(options: TrainHeadOptions): Promise<TrainHeadResult> {
  const progress = options.onProgress ?? (() => undefined);
  const { space, labelled, data } = await loadLabelledFeatures(options, progress);
  const rows = data.items.map((item, i) => ({
    item,
    feature: data.features[i]!,
    concept: item.concept,
    index: i,
  }));
  const { seen, unseen } = options.holdOutUnseen
    ? splitByConcept(rows, options.split)
    : { seen: rows, unseen: [] };
  const { train, val } = validationSplit(seen, options.valFraction ?? 0.1, options.split?.seed);
  if (train.length === 0 || val.length === 0)
    throw new Error('need images of at least two concepts to train and validate');
  const asSet = (rs: typeof train) => ({ items: rs.map((r) => r.item), features: rs.map((r) => r.feature) });
  // Augmented views join the training side only; validation stays on the original images.
  const views = Object.values(data.augmented);
  const trainSet = asSet([
    ...train,
    ...views.flatMap((v) => train.flatMap((r) => (v[r.index] ? [{ ...r, feature: v[r.index]! }] : []))),
  ]);
  const targetOf = (concept: string) => space.labelVector(concept);
  const input = options.input ?? DEFAULT_INPUT_TRANSFORM;

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

  const meanTarget = meanVector(trainSet.items.flatMap((i) => targetOf(i.concept) ?? []));
  const gammas = options.gammas ?? [0.5, 1, 1.5, 2, 3];
  const valFor = (transform: InputTransform) => ({
    predict: (stack: DenseStack) =>
      val.map((v) => forwardDense(stack, applyInputTransform(transform, v.feature))),
    concepts: val.map((v) => v.concept),
  });
  const spreadOf = (head: { stack: DenseStack; transform: InputTransform }) => {
    // Every other training row is plenty to measure a mean and a spread.
    const idx = trainSet.items
      .map((_, i) => i)
      .filter((i) => i % 2 === 0 && targetOf(trainSet.items[i]!.concept));
    return outputSpread(
      idx.map((i) => forwardDense(head.stack, applyInputTransform(head.transform, trainSet.features[i]!))),
      idx.map((i) => targetOf(trainSet.items[i]!.concept)!),
    );
  };
  const spread = spreadOf(fitted);
  const chosen = chooseGamma(fitted.stack, meanTarget, gammas, valFor(fitted.transform), targetOf, spread);
  const stack = deshrink(fitted.stack, meanTarget, chosen.gamma, spread);
  // Every seen concept joins the blend, the validation ones too (only the unseen split stays out).
  const blend = options.conse
    ? conseBlendOf(
        [...trainSet.items, ...val.map((v) => v.item)].flatMap((i) => targetOf(i.concept) ?? []),
        options.conse,
      )
    : undefined;

  let ridge: TrainHeadResult['ridge'];
  const lambda = options.ridgeLambda ?? 300;
  if (lambda > 0) {
    progress('ridge', 0, 1);
    const r = fitRidgeHead(trainSet, targetOf, lambda, input);
    const ridgeSpread = spreadOf(r);
    const ridgeGamma = chooseGamma(r.stack, meanTarget, gammas, valFor(r.transform), targetOf, ridgeSpread);
    const valRows = val.filter((v) => targetOf(v.concept));
    ridge = {
      lambda,
      gamma: ridgeGamma.gamma,
      valLoss: cosineLoss(
        (x) => forwardDense(r.stack, applyInputTransform(r.transform, x)),
        valRows.map((v) => v.feature),
        valRows.map((v) => targetOf(v.concept)!),
      ),
    };
    if (options.ridgeOut) {
      await exportHead(
        options.ridgeOut,
        deshrink(r.stack, meanTarget, ridgeGamma.gamma, ridgeSpread),
        r.transform,
        {
          name: `${options.name ?? path.basename(options.out)}-ridge`,
          encoder: data.encoder.name,
          wordVectors: space.name,
          architecture: `ridge λ=${lambda} (${describeArchitecture(r.stack, r.transform)})`,
          training: {
            lambda,
            input,
            deshrink: { gamma: ridgeGamma.gamma, valHitAt5ByGamma: ridgeGamma.valHitAt5 },
          },
          metrics: { valLoss: ridge.valLoss },
          provenance: options.provenance ?? {
            source: `trained by visem on ${options.images}`,
            license: 'same as the training images',
          },
        },
      );
    }
    progress('ridge', 1, 1);
  }

  progress('export', 0, 1);
  const result = fitted.result;
  const manifest = await exportHead(options.out, stack, fitted.transform, {
    name: options.name ?? path.basename(options.out),
    encoder: data.encoder.name,
    wordVectors: space.name,
    architecture: describeArchitecture(stack, fitted.transform, blend),
    ...(blend ? { blend } : {}),
    training: {
      images: options.images,
      config: result.config,
      input,
      lossFunction:
        result.config.loss === 'softmax'
          ? `softmax cross-entropy over cos(pred, label) / ${result.config.temperature} across the training labels`
          : '1 - cos(pred, target)',
      optimizer: 'adam',
      backend: result.backend,
      split: options.holdOutUnseen
        ? {
            seed: options.split?.seed ?? DEFAULT_SPLIT_SEED,
            unseenFraction: options.split?.unseenFraction ?? DEFAULT_UNSEEN_FRACTION,
            heldOutUnseenImages: unseen.length,
          }
        : 'none',
      trainImages: train.length,
      // Rows the MLP saw per epoch: the training images plus their augmented views.
      trainRows: trainSet.items.length,
      valImages: val.length,
      bestEpoch: result.bestEpoch,
      augment: options.augment ? ['flop', 'zoom'] : [],
      deshrink: { gamma: chosen.gamma, valHitAt5ByGamma: chosen.valHitAt5 },
      ...(blend ? { conse: { ...options.conse, classes: blend.classes } } : {}),
      encoderSha256: data.encoder.sha256,
    },
    metrics: {
      bestValLoss: result.bestValLoss,
      ...(ridge ? { ridgeValLoss: ridge.valLoss, ridgeLambda: ridge.lambda } : {}),
    },
    provenance: options.provenance ?? {
      source: `trained by visem on ${options.images}`,
      license: 'same as the training images',
    },
  });
  progress('export', 1, 1);
  return {
    manifest,
    counts: {
      images: data.items.length,
      concepts: new Set(data.items.map((i) => i.concept)).size,
      train: train.length,
      trainRows: trainSet.items.length,
      val: val.length,
      heldOutUnseen: unseen.length,
      skippedImages: data.skipped.length,
    },
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
