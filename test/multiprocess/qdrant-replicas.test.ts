import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createServices, openStore } from '../../src/bootstrap.js';
import { loadConfig, type Config } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server/app.js';
import { VOCABULARY } from '../../src/services/collections.js';
import { readImportRecord } from '../../src/services/vocabulary-lease.js';
import { runCli } from '../support/cli.js';
import { ANIMAL_PHOTOS, TEST_ENV } from '../support/test-data.js';
import { dropAll, qdrantTestEnv, TEST_QDRANT_URL, TEST_QDRANT_URL_2 } from '../support/test-server.js';

/**
 * Several API processes and a `visem ingest` on one Qdrant, each with its own DATA_DIR and one shared
 * MEDIA_DIR (what the compose cluster profile runs): the vocabulary is imported once, nothing is dropped,
 * and every replica serves every image. Needs a live Qdrant (VISEM_TEST_QDRANT_URL).
 */

if (!TEST_QDRANT_URL) {
  console.warn('VISEM_TEST_QDRANT_URL not set: API replicas on one Qdrant SKIPPED (not passed)');
  describe.skip('API replicas on one Qdrant (VISEM_TEST_QDRANT_URL not set)', () => {
    it.skip('needs a running Qdrant', () => undefined);
  });
} else {
  describe('API replicas on one Qdrant', () => {
    const dirs: string[] = [];
    const servers: RunningServer[] = [];
    const prefix = `r${randomBytes(4).toString('hex')}_`;
    let media: string;
    let anyConfig: Config | undefined;

    const dir = async (name: string) => {
      const d = await mkdtemp(path.join(tmpdir(), `visem-${name}-`));
      dirs.push(d);
      return d;
    };
    const env = async (name: string, url = TEST_QDRANT_URL): Promise<Record<string, string>> => ({
      ...TEST_ENV,
      VOCAB_LIMIT: '20000',
      DATA_DIR: await dir(name),
      MEDIA_DIR: media,
      ...qdrantTestEnv(prefix, url),
    });

    /** A replica with a log it keeps in memory. */
    async function replica(name: string, qdrant?: string): Promise<{ url: string; log: string[] }> {
      const lines: string[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      });
      const config = loadConfig({ ...(await env(name, qdrant)), PORT: '0', HOST: '127.0.0.1' });
      anyConfig = config;
      const log = pino({ level: 'info' }, sink);
      const server = await startServer(await createServices(config, log), log);
      servers.push(server);
      return { url: server.url, log: lines };
    }

    afterAll(async () => {
      for (const s of servers) await s.stop();
      if (anyConfig) await dropAll(anyConfig);
      for (const d of dirs) await rm(d, { recursive: true, force: true });
    });

    it('two replicas starting together import the vocabulary once; a CLI ingest is served by both', async () => {
      media = await dir('media');
      // The second replica reaches the store through another peer when the run names one.
      const [a, b] = await Promise.all([replica('a'), replica('b', TEST_QDRANT_URL_2)]);
      const logs = [a.log.join(''), b.log.join('')];
      expect(logs.filter((l) => l.includes('"msg":"importing vocabulary"')).length).toBe(1);
      const store = await openStore(anyConfig!, { background: false });
      try {
        const vocabulary = (await store.collectionInfo(VOCABULARY))!;
        expect(vocabulary.count).toBe(20000);
        expect(readImportRecord(vocabulary.metadata)?.lease).toBeUndefined();
      } finally {
        await store.close();
      }

      const ingest = await runCli(['ingest', ANIMAL_PHOTOS.zebra, ANIMAL_PHOTOS.elephant], await env('cli'));
      expect(ingest.code, ingest.stderr).toBe(0);
      expect(ingest.stderr + ingest.stdout).not.toContain('importing vocabulary');

      for (const { url } of [a, b]) {
        const res = await fetch(`${url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            query: '{ searchImages(text: "elephant", first: 1) { edges { node { id } } } }',
          }),
        });
        const body = (await res.json()) as { data: { searchImages: { edges: { node: { id: string } }[] } } };
        expect(body, JSON.stringify(body)).toHaveProperty('data.searchImages');
        const id = body.data.searchImages.edges[0]?.node.id;
        expect(id).toMatch(/^[0-9a-f]{64}$/);
        for (const variant of ['', '/thumbnail']) {
          const image = await fetch(`${url}/images/${id}${variant}`);
          expect(image.status).toBe(200);
          expect((await image.arrayBuffer()).byteLength).toBeGreaterThan(100);
        }
      }
    });
  });
}
