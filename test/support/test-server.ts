import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServices } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config.js';
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
 * A real server on a free loopback port, with real models, over a fresh copy of the prepared data dir
 * (vocabulary already imported by the global setup), so each suite starts from a clean store in ~1 s.
 */
export async function startTestServer(options: { env?: Record<string, string> } = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'visem-test-'));
  await cp(testTemplateDir(), dataDir, { recursive: true });
  const config = loadConfig({ ...TEST_ENV, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', ...options.env });
  const log = createLogger(config.LOG_LEVEL);
  const services = await createServices(config, log);
  const server = await startServer(services, log);
  return {
    url: server.url,
    dataDir,
    services,
    stop: async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
