import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { ensureEncoderBuilt } from '../models/convert/build-encoder.js';
import { encoderManifestSchema, readManifest } from '../models/manifest.js';

export type ProgressFn = (stage: string, done: number, total: number) => void;

/**
 * Builds the configured encoder from its manifest's recipe when its ONNX file is missing or fails its
 * checksum (first start, or `visem models build`). Encoders supplied as ONNX (no recipe) are only checked.
 */
export async function ensureModelsBuilt(
  config: Config,
  log: Logger,
  progress?: ProgressFn,
  force = false,
): Promise<void> {
  if (force) {
    const manifest = await readManifest(config.encoderDir, encoderManifestSchema);
    if (manifest.build) await rm(path.join(config.encoderDir, manifest.file), { force: true });
  }
  const result = await ensureEncoderBuilt(config.encoderDir, (done, total, stage) =>
    progress?.(`building encoder (${stage})`, done, total),
  );
  log.info({ encoder: config.encoderDir, sha256: result.sha256, built: !result.skipped }, 'encoder ready');
}
