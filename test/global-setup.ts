import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { openStore } from '../src/bootstrap.js';
import { loadConfig } from '../src/config.js';
import { ErrorCode, isAppError } from '../src/errors.js';
import { createLogger } from '../src/log.js';
import { packageRoot } from '../src/paths.js';
import { headManifestSchema, readManifest } from '../src/models/manifest.js';
import { ensureModelsBuilt } from '../src/services/models.service.js';
import { ensureVocabulary } from '../src/services/vocabulary-import.service.js';
import { EmbeddedStore } from '../src/store/embedded.store.js';
import { TEST_ENV, testTemplateDir } from './support/test-data.js';

/**
 * Once per test run: build the encoders (idempotent, ~1 s when built) and a template data dir with the test
 * vocabulary imported and indexed. All are real: EfficientNet-Lite2 converted from its wheel, the nsfwjs
 * fallback, the GloVe package.
 * A template from an earlier run is reused when ensureVocabulary finds it complete and current.
 */
export default async function setup(): Promise<void> {
  // The Debian packages the tests use are installed by an explicit step, never from here.
  try {
    execFileSync('bash', [path.join(packageRoot(), 'scripts', 'system-deps.sh'), '--check'], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  } catch {
    throw new Error('the tests need Debian packages (see above): sudo bash scripts/system-deps.sh');
  }
  const dir = testTemplateDir();
  const config = loadConfig({ ...TEST_ENV, DATA_DIR: dir });
  const log = createLogger('warn');
  await ensureModelsBuilt(config, log);
  // The fallback encoder too: the fault and reindex tests start on it, and a fresh checkout that ran
  // only `npm start` has built the default alone.
  const fallback = {
    ...TEST_ENV,
    DATA_DIR: dir,
    ENCODER: 'inception-v3-mixed6',
    HEAD: 'head-inception-v3-mixed6',
  };
  await ensureModelsBuilt(loadConfig(fallback), log);
  if (!existsSync(path.join(dir, 'store'))) {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
  }
  const head = await readManifest(config.headDir, headManifestSchema);
  let store = await openStore(config);
  try {
    try {
      await ensureVocabulary(config, store, head.output.dimension, log);
    } catch (e) {
      // A template made before collections recorded their word vectors: make it again.
      if (!isAppError(e) || e.code !== ErrorCode.STORE_MODEL_MISMATCH) throw e;
      await store.close();
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      store = await openStore(config);
      await ensureVocabulary(config, store, head.output.dimension, log);
    }
    // The vocabulary's ANN index goes into the template, so suites copy it instead of rebuilding it.
    if (store instanceof EmbeddedStore) await store.buildIndexes('vocabulary');
  } finally {
    await store.close();
  }
}
