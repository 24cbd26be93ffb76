import { access } from 'node:fs/promises';
import { cosineLoss, l2NormalizeRows, softmaxCosineLoss } from './cosine-loss.js';
import type { DenseLayer, DenseStack } from './dense-stack.js';
import { readCheckpoint, writeCheckpoint, type CheckpointBlob } from './mlp-checkpoint.js';
import { mulberry32, shuffled } from './random.js';
import { tf, useTfBackend, type TfBackend } from './tf-backend.js';

/**
 * The DeViSE-style projection head: blocks of Dense → LeakyReLU → Dropout, then a linear Dense into the
 * word-vector space, trained with 1 − cos(pred, target). The original recipe (2048→6144→4096→1024→300)
 * is `hidden: [6144, 4096, 1024]` with 300-d vectors; the default is sized for two CPU cores.
 */
export interface MlpConfig {
  hidden: number[];
  leakyAlpha: number;
  dropout: number;
  /** Dropout on the input features (identity at inference, so not in the exported graph). */
  inputDropout: number;
  learningRate: number;
  batchSize: number;
  epochs: number;
  /** Seeds weight initialisation, batch order and dropout masks: a run repeats exactly. */
  seed: number;
  /** Stop after this many epochs without a better validation loss; 0 = never. */
  patience: number;
  /**
   * `cosine`: 1 − cos(pred, target), the original protocol. `softmax`: cross-entropy over the cosines
   * to every training class's vector (see softmaxCosineLoss); validation then ranks among the
   * validation classes' vectors, so the kept epoch is the one that tells unseen classes apart best.
   */
  loss: 'cosine' | 'softmax';
  /** Softmax temperature on cosines (only for `loss: 'softmax'`). */
  temperature: number;
}

export const DEFAULT_MLP_CONFIG: MlpConfig = {
  hidden: [1024],
  leakyAlpha: 0.2,
  dropout: 0.1,
  inputDropout: 0,
  learningRate: 1e-3,
  batchSize: 256,
  epochs: 40,
  seed: 1,
  patience: 0,
  loss: 'cosine',
  temperature: 0.1,
};

export interface Rows {
  x: readonly Float32Array[];
  y: readonly Float32Array[];
}

export interface EpochReport {
  epoch: number;
  epochs: number;
  trainLoss: number;
  valLoss: number;
  /** Whether this epoch is the best so far (its weights are kept). */
  best: boolean;
  seconds: number;
}

export interface TrainMlpOptions {
  onEpoch?: (report: EpochReport) => void;
  /** Saved after every epoch; when it exists and matches, training resumes from it. */
  checkpointFile?: string;
  signal?: AbortSignal;
  backend?: TfBackend;
  /**
   * Extra unit word vectors that compete in the training softmax without ever being a target (e.g. the
   * label vocabulary), so predictions also keep away from words no training image is labelled with.
   */
  negatives?: readonly Float32Array[];
}

export interface MlpTrainResult {
  stack: DenseStack;
  history: EpochReport[];
  bestEpoch: number;
  bestValLoss: number;
  backend: TfBackend;
  config: MlpConfig;
}

interface CheckpointMeta {
  config: MlpConfig;
  inputDim: number;
  outputDim: number;
  epoch: number;
  history: EpochReport[];
  bestEpoch: number;
  bestValLoss: number;
  modelCount: number;
  bestCount: number;
  /** How many softmax negatives the run used; a checkpoint is only resumed with the same count. */
  negatives?: number;
}

/**
 * Dense → LeakyReLU blocks and the output Dense. Dropout is not a layer here but applied by `forwardTraining`
 * in training: tfjs's Dropout layer draws masks from Math.random, or with a seed reuses that one seed
 * for every call (one frozen mask), so neither gives a reproducible run.
 */
export function buildMlp(inputDim: number, outputDim: number, config: MlpConfig): tf.Sequential {
  const model = tf.sequential();
  let seed = config.seed;
  config.hidden.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        units,
        ...(i === 0 ? { inputShape: [inputDim] } : {}),
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }),
      }),
    );
    model.add(tf.layers.leakyReLU({ alpha: config.leakyAlpha }));
  });
  model.add(
    tf.layers.dense({
      units: outputDim,
      ...(config.hidden.length === 0 ? { inputShape: [inputDim] } : {}),
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }),
    }),
  );
  return model;
}

/**
 * The training forward pass: dropout on the input and after each hidden block, with masks seeded by
 * (run seed, epoch, batch), so a run, and a run resumed from its checkpoint, repeats exactly.
 */
function forwardTraining(
  model: tf.Sequential,
  x: tf.Tensor2D,
  config: MlpConfig,
  epoch: number,
  batch: number,
): tf.Tensor2D {
  let site = 0;
  const drop = (t: tf.Tensor, rate: number): tf.Tensor =>
    rate > 0 ? tf.dropout(t, rate, undefined, `${config.seed}:${epoch}:${batch}:${site++}`) : t;
  let h = drop(x, config.inputDropout ?? 0);
  for (const layer of model.layers) {
    h = layer.apply(h) as tf.Tensor;
    if (layer.getClassName() === 'LeakyReLU') h = drop(h, config.dropout);
  }
  return h as tf.Tensor2D;
}

/** The Dense layers' kernels and biases as plain arrays (kernels are [in, out] in tfjs). */
export function stackFromWeights(
  weights: readonly Float32Array[],
  dims: number[],
  alpha: number,
): DenseStack {
  const layers: DenseLayer[] = [];
  for (let i = 0; i + 1 < dims.length; i++) {
    layers.push({
      weights: weights[2 * i]!,
      bias: weights[2 * i + 1]!,
      inDim: dims[i]!,
      outDim: dims[i + 1]!,
      activation: i + 2 < dims.length ? 'leaky-relu' : 'linear',
    });
  }
  return { layers, alpha };
}

/**
 * The distinct target rows of `targets` (then of `extra`, which only widens the candidate set) as a
 * unit-row matrix, and each row of `targets`' index into it.
 */
function classesOf(
  targets: readonly Float32Array[],
  extra: readonly Float32Array[] = [],
): { vectors: tf.Tensor2D; labels: tf.Tensor1D; count: number } {
  const index = new Map<string, number>();
  const distinct: Float32Array[] = [];
  const add = (t: Float32Array): number => {
    const key = t.join(',');
    let k = index.get(key);
    if (k === undefined) {
      k = distinct.length;
      index.set(key, k);
      distinct.push(t);
    }
    return k;
  };
  const labels = Int32Array.from(targets, add);
  extra.forEach(add);
  const d = targets[0]!.length;
  const flat = new Float32Array(distinct.length * d);
  distinct.forEach((r, i) => flat.set(r, i * d));
  return tf.tidy(() => ({
    vectors: l2NormalizeRows(tf.tensor2d(flat, [distinct.length, d])),
    labels: tf.tensor1d(labels, 'int32'),
    count: distinct.length,
  }));
}

type BatchLoss = (pred: tf.Tensor2D, rows: tf.Tensor1D) => tf.Scalar;

/**
 * The batch loss. For the softmax, the classes are the distinct rows of `targets` plus `negatives`
 * (vectors that compete but are never a target); when those are fewer than two (a validation split with
 * a single concept), the `fallback` rows compete as well.
 */
function lossFor(
  config: MlpConfig,
  y: tf.Tensor2D,
  targets: readonly Float32Array[],
  fallback: readonly Float32Array[] = [],
  negatives: readonly Float32Array[] = [],
) {
  if (config.loss === 'cosine') {
    const loss: BatchLoss = (pred, rows) => cosineLoss(tf.gather(y, rows), pred);
    return { loss, dispose: () => undefined };
  }
  let classes = classesOf(targets, negatives);
  if (classes.count < 2 && fallback.length > 0) {
    tf.dispose([classes.vectors, classes.labels]);
    classes = classesOf(targets, fallback);
  }
  if (classes.count < 2) {
    tf.dispose([classes.vectors, classes.labels]);
    throw new Error('the softmax loss needs at least two distinct labels');
  }
  const { vectors, labels } = classes;
  const loss: BatchLoss = (pred, rows) =>
    softmaxCosineLoss(vectors, tf.gather(labels, rows), pred, config.temperature);
  return { loss, dispose: () => tf.dispose([vectors, labels]) };
}

function snapshot(tensors: readonly tf.Tensor[]): Float32Array[] {
  return tensors.map((t) => Float32Array.from(t.dataSync()));
}

function meanLoss(model: tf.Sequential, x: tf.Tensor2D, loss: BatchLoss, batch: number): number {
  const n = x.shape[0];
  let total = 0;
  for (let s = 0; s < n; s += batch) {
    const size = Math.min(batch, n - s);
    total +=
      tf
        .tidy(() => {
          const pred = model.predict(x.slice([s, 0], [size, -1])) as tf.Tensor2D;
          return loss(pred, tf.range(s, s + size, 1, 'int32'));
        })
        .dataSync()[0]! * size;
  }
  return total / n;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** Trains the MLP; returns the weights of the epoch with the lowest validation loss. */
export async function trainMlp(
  train: Rows,
  val: Rows,
  config: MlpConfig,
  options: TrainMlpOptions = {},
): Promise<MlpTrainResult> {
  if (train.x.length === 0 || val.x.length === 0)
    throw new Error('training and validation sets must be non-empty');
  const backend = await useTfBackend(options.backend ?? 'wasm');
  const inputDim = train.x[0]!.length;
  const outputDim = train.y[0]!.length;
  const dims = [inputDim, ...config.hidden, outputDim];
  const model = buildMlp(inputDim, outputDim, config);
  const optimizer = tf.train.adam(config.learningRate);
  const toTensor = (rows: readonly Float32Array[], d: number) => {
    const flat = new Float32Array(rows.length * d);
    rows.forEach((r, i) => flat.set(r, i * d));
    return tf.tensor2d(flat, [rows.length, d]);
  };
  const xTrain = toTensor(train.x, inputDim);
  const yTrain = toTensor(train.y, outputDim);
  const xVal = toTensor(val.x, inputDim);
  const yVal = toTensor(val.y, outputDim);
  const trainLoss = lossFor(config, yTrain, train.y, [], options.negatives);
  // Validation ranks among its own labels, or among every label when it holds fewer than two.
  const valLossOf = lossFor(config, yVal, val.y, train.y);

  let history: EpochReport[] = [];
  let bestValLoss = Infinity;
  let bestEpoch = 0;
  let best: Float32Array[] = snapshot(model.getWeights());
  let startEpoch = 1;

  const file = options.checkpointFile;
  if (file && (await exists(file))) {
    const ck = await readCheckpoint<CheckpointMeta>(file);
    const m = ck.meta;
    if (
      JSON.stringify(m.config) === JSON.stringify(config) &&
      m.inputDim === inputDim &&
      m.outputDim === outputDim &&
      (m.negatives ?? 0) === (options.negatives?.length ?? 0)
    ) {
      const blobs = ck.blobs;
      model.setWeights(blobs.slice(0, m.modelCount).map((b) => tf.tensor(b.data, b.shape)));
      best = blobs.slice(m.modelCount, m.modelCount + m.bestCount).map((b) => b.data);
      const opt = blobs.slice(m.modelCount + m.bestCount);
      // Adam matches its moments to variables by position, so the saved names need not match.
      if (opt.length > 0)
        await optimizer.setWeights(opt.map((b) => ({ name: b.name, tensor: tf.tensor(b.data, b.shape) })));
      history = m.history;
      bestValLoss = m.bestValLoss;
      bestEpoch = m.bestEpoch;
      startEpoch = m.epoch + 1;
    }
  }

  const n = train.x.length;
  for (let epoch = startEpoch; epoch <= config.epochs; epoch++) {
    if (options.signal?.aborted) break;
    if (config.patience > 0 && epoch - bestEpoch > config.patience) break;
    const started = Date.now();
    const order = shuffled(n, mulberry32(config.seed * 100_003 + epoch));
    let sum = 0;
    for (let s = 0; s < n; s += config.batchSize) {
      const idx = tf.tensor1d(order.subarray(s, Math.min(n, s + config.batchSize)), 'int32');
      const xb = tf.gather(xTrain, idx);
      const batch = s / config.batchSize;
      const loss = optimizer.minimize(
        () => trainLoss.loss(forwardTraining(model, xb, config, epoch, batch), idx),
        true,
      );
      sum += loss!.dataSync()[0]! * idx.shape[0];
      tf.dispose([idx, xb, loss!]);
      // Yield so progress callbacks and aborts are served during long epochs.
      await new Promise((r) => setImmediate(r));
    }
    const valLoss = meanLoss(model, xVal, valLossOf.loss, 1024);
    const improved = valLoss < bestValLoss;
    if (improved) {
      bestValLoss = valLoss;
      bestEpoch = epoch;
      best = snapshot(model.getWeights());
    }
    const report: EpochReport = {
      epoch,
      epochs: config.epochs,
      trainLoss: sum / n,
      valLoss,
      best: improved,
      seconds: (Date.now() - started) / 1000,
    };
    history.push(report);
    if (file) {
      const current = model.getWeights();
      const opt = await optimizer.getWeights();
      const blobs: CheckpointBlob[] = [
        ...current.map((t, i) => ({ name: `w${i}`, shape: t.shape, data: Float32Array.from(t.dataSync()) })),
        ...best.map((data, i) => ({ name: `best${i}`, shape: current[i]!.shape, data })),
        ...opt.map((w) => ({
          name: w.name,
          shape: w.tensor.shape,
          data: Float32Array.from(w.tensor.dataSync()),
        })),
      ];
      const meta: CheckpointMeta = {
        config,
        inputDim,
        outputDim,
        epoch,
        history,
        bestEpoch,
        bestValLoss,
        modelCount: current.length,
        bestCount: best.length,
        negatives: options.negatives?.length ?? 0,
      };
      await writeCheckpoint(file, { meta, blobs });
    }
    options.onEpoch?.(report);
  }
  trainLoss.dispose();
  valLossOf.dispose();
  tf.dispose([xTrain, yTrain, xVal, yVal]);
  model.dispose();
  optimizer.dispose();
  return {
    stack: stackFromWeights(best, dims, config.leakyAlpha),
    history,
    bestEpoch,
    bestValLoss,
    backend,
    config,
  };
}
