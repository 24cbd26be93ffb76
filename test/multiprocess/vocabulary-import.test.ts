import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/bootstrap.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { VOCABULARY, vocabularyCollection } from '../../src/services/collections.js';
import { identityMetadata, pendingMetadata, recordedIdentity } from '../../src/services/model-identity.js';
import { ensureVocabulary, openVocabularySource } from '../../src/services/vocabulary-import.service.js';
import { importMetadata, readImportRecord, type ImportRecord } from '../../src/services/vocabulary-lease.js';
import type { Point, VectorStore } from '../../src/store/vector-store.js';
import { runCli } from '../support/cli.js';
import { TEST_ENV } from '../support/test-data.js';
import { dropAll, qdrantTestEnv } from '../support/test-server.js';

/**
 * The vocabulary import's state lives in the store, so processes sharing one store agree on it: one
 * imports, the others wait and then serve, and a crashed importer's work is resumed, not dropped.
 */

const WORDS = 6000;
const FAST = { ttlMs: 400, beatMs: 50, pollMs: 25, settleMs: 25 };
const dirs: string[] = [];
const configs: Config[] = [];
afterEach(async () => {
  for (const c of configs.splice(0)) if (c.QDRANT_URL) await dropAll(c);
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A fresh store: embedded, or a fresh prefix on the live Qdrant when VISEM_TEST_QDRANT_URL is set. */
async function freshConfig(): Promise<Config> {
  const dir = await mkdtemp(path.join(tmpdir(), 'visem-vocab-'));
  dirs.push(dir);
  const config = loadConfig({ ...TEST_ENV, DATA_DIR: dir, VOCAB_LIMIT: String(WORDS), ...qdrantTestEnv() });
  configs.push(config);
  return config;
}

/** The first `n` words of the configured vectors, as the import writes them, marked `seeded`. */
async function firstWords(config: Config, n: number): Promise<Point[]> {
  const { opened } = await openVocabularySource(config);
  const points: Point[] = [];
  for await (const e of opened.reader) {
    if (points.length === n) break;
    points.push({ id: e.word, vectors: { semantic: e.vector }, payload: { rank: e.rank, seeded: true } });
  }
  return points;
}

/** A vocabulary collection left by another process: `imported` words written, its lease as given. */
async function leftByAnother(
  config: Config,
  store: VectorStore,
  record: Partial<ImportRecord>,
): Promise<void> {
  const source = await openVocabularySource(config);
  const identity = { wordVectors: source.identity };
  const settings = { fingerprint: source.opened.fingerprint, labelsTopN: config.LABELS_TOP_N, limit: WORDS };
  await store.ensureCollection({
    ...vocabularyCollection(source.opened.reader.dimension),
    metadata: {
      ...pendingMetadata(identity),
      ...importMetadata({ ...settings, imported: 0, labels: 0, ...record }),
    },
  });
  await store.upsert(VOCABULARY, await firstWords(config, record.imported ?? 0));
}

describe(`vocabulary import shared by processes (${qdrantTestEnv().QDRANT_URL ? 'live Qdrant' : 'embedded store'})`, () => {
  it('takes over a lease whose heartbeat stopped and resumes at the recorded word, dropping nothing', async () => {
    const config = await freshConfig();
    const store = await openStore(config, { background: false });
    try {
      await leftByAnother(config, store, { imported: 2000, labels: 0, lease: { owner: 'crashed', beat: 7 } });
      const info = await ensureVocabulary(config, store, 100, createLogger('silent'), undefined, {
        leaseTiming: FAST,
      });
      expect(info.imported).toBe(true);
      const vocabulary = (await store.collectionInfo(VOCABULARY))!;
      expect(vocabulary.count).toBe(WORDS);
      expect(recordedIdentity(vocabulary.metadata)).toBeDefined();
      expect(readImportRecord(vocabulary.metadata)).toMatchObject({ imported: WORDS });
      expect(readImportRecord(vocabulary.metadata)?.lease).toBeUndefined();
      // The crashed process's words were kept (resumed after them), not dropped and rewritten.
      const [first] = await store.get(VOCABULARY, [(await firstWords(config, 1))[0]!.id]);
      expect(first?.payload.seeded).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('waits while another process beats and then serves what it imported, writing nothing', async () => {
    const config = await freshConfig();
    const store = await openStore(config, { background: false });
    try {
      const source = await openVocabularySource(config);
      const settings = {
        fingerprint: source.opened.fingerprint,
        labelsTopN: config.LABELS_TOP_N,
        limit: WORDS,
      };
      await leftByAnother(config, store, { imported: 1000, lease: { owner: 'alive', beat: 0 } });
      // The other process: beats for three time-to-lives, then records its import complete.
      const other = (async () => {
        for (let beat = 1; beat <= 24; beat++) {
          await new Promise((r) => setTimeout(r, 50));
          await store.updateCollectionMetadata(
            VOCABULARY,
            importMetadata({ ...settings, imported: 1000, labels: 0, lease: { owner: 'alive', beat } }),
          );
        }
        await store.updateCollectionMetadata(VOCABULARY, {
          ...identityMetadata({ wordVectors: source.identity }),
          ...importMetadata({ ...settings, imported: 1000, labels: 0 }),
        });
      })();
      const waited: number[] = [];
      const info = await ensureVocabulary(
        config,
        store,
        100,
        createLogger('silent'),
        (stage, done) => {
          if (stage.startsWith('waiting')) waited.push(done);
        },
        { leaseTiming: FAST },
      );
      await other;
      expect(info.imported).toBe(false);
      expect(waited.length).toBeGreaterThan(0);
      // Only the other process's 1000 words: the waiter neither dropped nor imported.
      expect((await store.collectionInfo(VOCABULARY))?.count).toBe(1000);
    } finally {
      await store.close();
    }
  });

  it('two `visem vocab import` processes racing on one fresh store import the vocabulary once', async () => {
    const config = await freshConfig();
    // Enough words (15 batches) that the second process arrives while the first is still importing.
    const words = 30_000;
    const env = {
      DATA_DIR: config.dataDir,
      VOCAB_LIMIT: String(words),
      LOG_LEVEL: 'info',
      ...(config.QDRANT_URL
        ? { QDRANT_URL: config.QDRANT_URL, QDRANT_COLLECTION_PREFIX: config.QDRANT_COLLECTION_PREFIX }
        : {}),
    };
    const runs = await Promise.all([runCli(['vocab', 'import'], env), runCli(['vocab', 'import'], env)]);
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    const logs = runs.map((r) => r.stdout + r.stderr);
    const importing = logs.filter((l) => l.includes('"msg":"importing vocabulary"'));
    expect(importing.length, logs.join('\n----\n')).toBe(1);
    expect(logs.filter((l) => l.includes('vocabulary imported by another process')).length).toBe(1);
    for (const run of runs) expect(run.stdout).toContain(`vocabulary: ${words} words`);
  });
});
