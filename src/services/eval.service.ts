import { evaluateItems, METRICS_HEADER, metricsRows, type ItemsEvaluation } from '../eval/evaluate-items.js';
import type { SplitOptions } from '../eval/split.js';
import { OnnxRuntime } from '../models/onnx-runtime.js';
import { ProjectionHead } from '../models/projection-head.js';
import type { StageProgress } from '../training/encode-images.js';
import type { WordSpace } from '../training/word-space.js';
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
}

/** dataset + heads → zero-shot metrics on the unseen concepts (same deterministic split as training). */
export async function evaluateHeads(options: EvaluateHeadOptions): Promise<EvaluateHeadResult> {
  const progress = options.onProgress ?? (() => undefined);
  const { space, data } = await loadLabelledFeatures(options, progress);
  const runtime = new OnnxRuntime({ provider: 'cpu', intraOpThreads: 0 });
  const heads: EvaluateHeadResult['heads'] = [];
  const table = [METRICS_HEADER];
  try {
    for (const [h, dir] of options.headDirs.entries()) {
      const head = await ProjectionHead.load(dir, runtime);
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
      table.push(...metricsRows(head.manifest.name, evaluation.report));
    }
  } finally {
    await runtime.release();
  }
  return { heads, table };
}
