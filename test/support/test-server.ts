import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createServices, openStore } from '../../src/bootstrap.js';
import { loadConfig, type Config } from '../../src/config.js';
import { IMAGES, IMAGES_REINDEX, VOCABULARY } from '../../src/services/collections.js';
import { createLogger } from '../../src/log.js';
import { startServer } from '../../src/server/app.js';
import type { AppServices } from '../../src/services/app-services.js';
import { TEST_ENV, testTemplateDir } from './test-data.js';

export interface TestServer {
  url: string;
  dataDir: string;
  services: AppServices;
  stop(): Promise<void>;
}

/**
 * With VISEM_TEST_QDRANT_URL set, test servers use that Qdrant (each under its own collection prefix,
 * dropped when it stops; the vocabulary is imported into it per server), so the GraphQL suites run
 * against a live Qdrant; otherwise the embedded store of the copied template.
 */
export const TEST_QDRANT_URL = process.env.VISEM_TEST_QDRANT_URL;
export const TEST_BACKEND = TEST_QDRANT_URL ? 'qdrant' : 'embedded';

/** The settings of a test server on Qdrant under a fresh prefix (empty without VISEM_TEST_QDRANT_URL). */
export function qdrantTestEnv(
  prefix = `t${randomBytes(4).toString('hex')}_`,
  url = TEST_QDRANT_URL,
): Record<string, string> {
  if (!url) return {};
  // A cluster's collection layout (e.g. 3 shards, replication factor 2), when the run names one.
  const layout = Object.fromEntries(
    (['QDRANT_SHARDS', 'QDRANT_REPLICATION_FACTOR'] as const).flatMap((k) => {
      const v = process.env[`VISEM_TEST_${k}`];
      return v ? [[k, v]] : [];
    }),
  );
  return { QDRANT_URL: url, QDRANT_COLLECTION_PREFIX: prefix, ...layout };
}

/** Another peer of the same Qdrant cluster, for replicas that reach it through different peers. */
export const TEST_QDRANT_URL_2 = process.env.VISEM_TEST_QDRANT_URL_2 ?? TEST_QDRANT_URL;

/**
 * A real server on a free loopback port, with real models, over a fresh copy of the prepared data dir
 * (vocabulary already imported by the global setup), so each suite starts from a clean store in ~1 s.
 */
export async function startTestServer(
  options: {
    env?: Record<string, string>;
    /** Never on Qdrant (the suite measures the server, not the store). */ embedded?: boolean;
  } = {},
): Promise<TestServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'visem-test-'));
  await cp(testTemplateDir(), dataDir, { recursive: true });
  const config = loadConfig({
    ...TEST_ENV,
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    ...(options.embedded ? {} : qdrantTestEnv()),
    ...options.env,
  });
  const log = createLogger(config.LOG_LEVEL);
  const services = await createServices(config, log);
  const server = await startServer(services, log);
  return {
    url: server.url,
    dataDir,
    services,
    stop: async () => {
      await server.stop();
      if (config.QDRANT_URL) await dropAll(config);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Drops a test server's collections from the shared Qdrant. */
export async function dropAll(config: Config): Promise<void> {
  const store = await openStore(config, { background: false });
  try {
    for (const c of [IMAGES, IMAGES_REINDEX, VOCABULARY])
      await store.dropCollection(c).catch(() => undefined);
  } finally {
    await store.close();
  }
}
