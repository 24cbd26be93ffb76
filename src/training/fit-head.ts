import type { DenseStack } from './dense-stack.js';
import {
  applyInputTransform,
  fitInputTransform,
  type InputTransform,
  type InputTransformOptions,
} from './input-transform.js';
import type { LabelledImage } from './labelled-images.js';
import {
  DEFAULT_MLP_CONFIG,
  trainMlp,
  type EpochReport,
  type MlpConfig,
  type MlpTrainResult,
} from './mlp-trainer.js';
import { fitRidge } from './ridge.js';

export const DEFAULT_INPUT_TRANSFORM: InputTransformOptions = { l2: true, standardise: 'zscore' };

export interface FitHeadOptions {
  mlp?: Partial<MlpConfig>;
  input?: InputTransformOptions;
  checkpointFile?: string;
  onEpoch?: (report: EpochReport) => void;
  signal?: AbortSignal;
  /** See TrainMlpOptions.negatives. */
  negatives?: readonly Float32Array[];
}

export interface FittedHead {
  stack: DenseStack;
  transform: InputTransform;
}

/** Concept → unit target vector; items whose concept has no vector are dropped by the caller. */
export type TargetOf = (concept: string) => Float32Array | undefined;

function rows(
  items: readonly LabelledImage[],
  features: readonly Float32Array[],
  targetOf: TargetOf,
  transform: InputTransform,
) {
  const x: Float32Array[] = [];
  const y: Float32Array[] = [];
  items.forEach((item, i) => {
    const target = targetOf(item.concept);
    if (!target) return;
    x.push(applyInputTransform(transform, features[i]!));
    y.push(target);
  });
  return { x, y };
}

/** Trains the MLP head: input transform fitted on the training rows, best epoch by validation loss. */
export async function fitMlpHead(
  train: { items: readonly LabelledImage[]; features: readonly Float32Array[] },
  val: { items: readonly LabelledImage[]; features: readonly Float32Array[] },
  targetOf: TargetOf,
  options: FitHeadOptions = {},
): Promise<FittedHead & { result: MlpTrainResult }> {
  const transform = fitInputTransform(train.features, options.input ?? DEFAULT_INPUT_TRANSFORM);
  const config: MlpConfig = { ...DEFAULT_MLP_CONFIG, ...options.mlp };
  const result = await trainMlp(
    rows(train.items, train.features, targetOf, transform),
    rows(val.items, val.features, targetOf, transform),
    config,
    {
      ...(options.onEpoch ? { onEpoch: options.onEpoch } : {}),
      ...(options.checkpointFile ? { checkpointFile: options.checkpointFile } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.negatives ? { negatives: options.negatives } : {}),
    },
  );
  return { stack: result.stack, transform, result };
}

/** The closed-form linear baseline on the same input transform. */
export function fitRidgeHead(
  train: { items: readonly LabelledImage[]; features: readonly Float32Array[] },
  targetOf: TargetOf,
  lambda: number,
  input: InputTransformOptions = DEFAULT_INPUT_TRANSFORM,
): FittedHead {
  const transform = fitInputTransform(train.features, input);
  const { x, y } = rows(train.items, train.features, targetOf, transform);
  const model = fitRidge(x, y, lambda);
  return {
    transform,
    stack: {
      alpha: 0,
      layers: [
        {
          weights: model.weights,
          bias: model.bias,
          inDim: model.inputDim,
          outDim: model.outputDim,
          activation: 'linear',
        },
      ],
    },
  };
}
