import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { headManifestSchema, readManifest } from '../src/models/manifest.js';
import { TEST_ENV, testTemplateDir } from './support/test-data.js';

/**
 * Once per test run: build the encoder (idempotent, ~1 s when built) and a template data dir with the
 * test vocabulary imported. Both are real: the nsfwjs weights converted to ONNX, the GloVe package.
 */
export default async function setup(): Promise<void> {
  // Imported here so suites that need none of this (store contract) still load while parts are missing.
  const { ensureModelsBuilt } = await import('../src/services/models.service.js');
  const { ensureVocabulary } = await import('../src/services/vocabulary-import.service.js');
  const { openStore } = await import('../src/bootstrap.js');
  const dir = testTemplateDir();
  const config = loadConfig({ ...TEST_ENV, DATA_DIR: dir });
  const log = createLogger('warn');
  await ensureModelsBuilt(config, log);
  if (existsSync(`${dir}/vocabulary-import.json`)) {
    // ensureVocabulary below verifies it is complete and current, and finishes it otherwise.
  } else {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
  }
  const head = await readManifest(config.headDir, headManifestSchema);
  const store = await openStore(config);
  try {
    await ensureVocabulary(config, store, head.output.dimension, log);
  } finally {
    await store.close();
  }
}
