import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, reindexStore } from '../../src/bootstrap.js';
import { loadConfig, type Config } from '../../src/config.js';
import { ErrorCode } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { encoderManifestSchema, headManifestSchema, readManifest } from '../../src/models/manifest.js';
import { IMAGES, IMAGES_REINDEX, VOCABULARY } from '../../src/services/collections.js';
import { ingestFiles } from '../../src/services/file-ingest.service.js';
import { storedTags } from '../../src/services/ingest.service.js';
import { recordedIdentity, pendingIdentity, type ImagesIdentity } from '../../src/services/model-identity.js';
import { readImportRecord } from '../../src/services/vocabulary-lease.js';
import { runCli as visem } from '../support/cli.js';
import { EmbeddedStore } from '../../src/store/embedded.store.js';
import { exportHead } from '../../src/training/head-export.js';
import { mulberry32 } from '../../src/training/random.js';
import { ANIMAL_PHOTOS, TEST_ENV, testTemplateDir } from '../support/test-data.js';

/**
 * Vectors know which models made them: a store written with one head is refused under another, and
 * `visem reindex` converts it (resumably, idempotently), with the real encoder, real heads and the real
 * embedded store on disk.
 */

const log = createLogger('silent');
const photos = [ANIMAL_PHOTOS.zebra, ANIMAL_PHOTOS.lion, ANIMAL_PHOTOS.elephant, ANIMAL_PHOTOS.frog];

let work: string;
let configA: Config; // the default models
let configB: Config; // the same encoder with another head
let headA: string;

function storeDir(): string {
  return path.join(configA.dataDir, 'store');
}

async function withStore<T>(fn: (store: EmbeddedStore) => Promise<T>): Promise<T> {
  const store = await EmbeddedStore.open({ dir: storeDir(), backgroundIndexBuilds: false });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

async function imagesHead(): Promise<string | undefined> {
  return withStore(async (store) => {
    const info = await store.collectionInfo(IMAGES);
    return (recordedIdentity(info!.metadata) as ImagesIdentity | undefined)?.head.name;
  });
}

/** A random linear head from the encoder's features to the 100-d GloVe space: cheap, and clearly other. */
async function exportRandomHead(dir: string, encoderDir: string): Promise<void> {
  const encoder = await readManifest(encoderDir, encoderManifestSchema);
  const inDim = encoder.output.dimension;
  const random = mulberry32(11);
  const weights = Float32Array.from({ length: inDim * 100 }, () => random() * 2 - 1);
  await exportHead(
    dir,
    {
      alpha: 0.2,
      layers: [{ weights, bias: new Float32Array(100), inDim, outDim: 100, activation: 'linear' }],
    },
    { l2: true },
    {
      name: 'head-b',
      encoder: encoder.name,
      wordVectors: 'glove-wink-100d',
      architecture: `random linear ${inDim} → 100`,
      provenance: { source: 'reindex test', license: 'MIT' },
    },
  );
}

/** The start is refused with STORE_MODEL_MISMATCH and a message matching `pattern`; returns the message. */
async function expectRefused(config: Config, pattern: RegExp): Promise<string> {
  const error = await createServices(config, log).then(
    async (services) => {
      await services.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(error).toMatchObject({ code: ErrorCode.STORE_MODEL_MISMATCH });
  const message = (error as Error).message;
  expect(message).toMatch(pattern);
  return message;
}

/** Each stored image's vectors and tags are what the configured models make of its stored copy. */
async function expectEmbeddedBy(config: Config, count: number): Promise<void> {
  const services = await createServices(config, log, undefined, { background: false });
  try {
    await withStore(async (store) => {
      const points = (await store.scroll(IMAGES, { limit: 100, withVectors: true })).points;
      expect(points).toHaveLength(count);
      for (const p of points) {
        const copy = (await services.files.read(p.id, 'original'))!;
        const fresh = await services.embedding.embed(copy);
        for (const name of ['semantic', 'visual'] as const) {
          const dot = p.vectors![name]!.reduce((s, x, i) => s + x * fresh[name][i]!, 0);
          expect(dot).toBeGreaterThan(0.9999);
        }
        // The same words, with the same scores (up to float noise between batched and single runs).
        const tags = p.payload.tags as { word: string; score: number }[];
        const want = storedTags(await services.vocabulary.nearestLabels(fresh.semantic, 10));
        expect(tags.map((t) => t.word)).toEqual(want.map((t) => t.word));
        tags.forEach((t, i) => expect(t.score).toBeCloseTo(want[i]!.score, 4));
      }
    });
  } finally {
    await services.close();
  }
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'visem-reindex-'));
  const dataDir = path.join(work, 'data');
  await cp(testTemplateDir(), dataDir, { recursive: true });
  configA = loadConfig({ ...TEST_ENV, DATA_DIR: dataDir });
  const headB = path.join(work, 'head-b');
  await exportRandomHead(headB, configA.encoderDir);
  configB = loadConfig({ ...TEST_ENV, DATA_DIR: dataDir, HEAD: headB });
  headA = (await readManifest(configA.headDir, headManifestSchema)).name;
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('vectors know which models made them', () => {
  let before: Map<string, Record<string, unknown>>;

  it('a new store records the models; a store written with another head is refused, naming both', async () => {
    const services = await createServices(configA, log, undefined, { background: false });
    try {
      const report = await ingestFiles(services.ingest, photos, { concurrency: 2 });
      expect(report.created).toBe(photos.length);
    } finally {
      await services.close();
    }
    before = await withStore(async (store) => {
      const images = (await store.collectionInfo(IMAGES))!;
      const identity = recordedIdentity(images.metadata) as ImagesIdentity;
      expect(identity.head.name).toBe(headA);
      expect(identity.encoder).toMatchObject({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown });
      expect(identity.wordVectors).toMatchObject({ name: 'glove-wink-100d', dimension: 100 });
      const vocabulary = (await store.collectionInfo(VOCABULARY))!;
      expect(recordedIdentity(vocabulary.metadata)).toEqual({ wordVectors: identity.wordVectors });
      const points = (await store.scroll(IMAGES, { limit: 100 })).points;
      return new Map(points.map((p) => [p.id, p.payload]));
    });

    const message = new RegExp(`head: stored ${headA} .*loaded head-b [\\s\\S]*visem reindex`);
    expect(await expectRefused(configB, message)).not.toMatch(/encoder:|word vectors:/);
    // The refused start changed nothing.
    expect(await imagesHead()).toBe(headA);
  });

  it('reindex converts the store to the other head: vectors and tags as the new models make them', async () => {
    const run = await reindexStore(configB, log);
    expect(run.vocabularyImported).toBe(false);
    expect(run.report).toMatchObject({ switched: true, upToDate: false, images: 4, embedded: 4, resumed: 0 });
    expect(await imagesHead()).toBe('head-b');
    await expectEmbeddedBy(configB, photos.length);
    // Payloads are kept, but for their tags.
    await withStore(async (store) => {
      for (const p of (await store.scroll(IMAGES, { limit: 100 })).points) {
        const { tags: _new, ...rest } = p.payload;
        const { tags: _old, ...was } = before.get(p.id)!;
        expect(rest).toEqual(was);
        expect(p.payload.tags).not.toEqual(before.get(p.id)!.tags);
      }
      expect(await store.collectionInfo(IMAGES_REINDEX)).toBeUndefined();
    });
    await expectRefused(configA, new RegExp(`head: stored head-b .*loaded ${headA}`));
  });

  it('a second reindex does nothing and says so; --help explains it', async () => {
    const env = { DATA_DIR: configB.dataDir, HEAD: configB.headDir };
    const again = await visem(['reindex'], env);
    expect(again.stderr).not.toMatch(/error/i);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/images up to date: 4 images already embedded by encoder .*, head head-b/);
    expect(again.stdout).toContain('nothing to re-embed');
    const help = await visem(['reindex', '--help'], env);
    expect(help.code).toBe(0);
    for (const text of ['--drop-missing', 'STORE_MODEL_MISMATCH', 'Run it again', 'stored copy'])
      expect(help.stdout).toContain(text);
  });

  it('resumes after a crash midway, and the store is never usable half converted', async () => {
    const crash = (stage: string, done: number) => {
      if (stage === 're-embedding images' && done >= 2) throw new Error('injected crash');
    };
    await expect(reindexStore(configA, log, crash, { pageSize: 1 })).rejects.toThrow('injected crash');
    await withStore(async (store) => {
      const images = (await store.collectionInfo(IMAGES))!;
      expect(images.count).toBe(4);
      expect((recordedIdentity(images.metadata) as ImagesIdentity).head.name).toBe('head-b');
      const staging = (await store.collectionInfo(IMAGES_REINDEX))!;
      expect(staging.count).toBe(2);
      expect((pendingIdentity(staging.metadata) as ImagesIdentity).head.name).toBe(headA);
      expect(recordedIdentity(staging.metadata)).toBeUndefined();
    });
    // Neither the old models nor the new ones may use it until the reindex is finished.
    await expectRefused(configA, /reindex` is running or was interrupted/);
    await expectRefused(configB, /reindex` is running or was interrupted/);
    // Going back to the models the store has: the interrupted run is discarded, nothing re-embedded.
    const back = await reindexStore(configB, log);
    expect(back.report).toMatchObject({ upToDate: true, images: 4, embedded: 0 });
    expect(await withStore(async (store) => store.collectionInfo(IMAGES_REINDEX))).toBeUndefined();
    await (await createServices(configB, log, undefined, { background: false })).close();
    await expect(reindexStore(configA, log, crash, { pageSize: 1 })).rejects.toThrow('injected crash');

    const run = await reindexStore(configA, log, undefined, { pageSize: 1 });
    expect(run.report).toMatchObject({ switched: true, images: 4, resumed: 2, embedded: 2 });
    expect(await imagesHead()).toBe(headA);
    await expectEmbeddedBy(configA, photos.length);
  });

  it('upgrades a store from before model identities; a missing stored copy stops the switch unless dropped', async () => {
    // What a visem older than model identities left: no metadata column at all.
    const db = new Database(path.join(storeDir(), 'visem.db'));
    db.exec('ALTER TABLE collections DROP COLUMN metadata');
    db.close();
    await expectRefused(
      configA,
      /records no models[\s\S]*encoder: stored inception-v3-mixed6 \(assumed\)[\s\S]*head: stored head-default \(assumed\)[\s\S]*visem reindex/,
    );

    const lost = [...before.keys()].sort()[0]!;
    await rm(path.join(configA.dataDir, 'images', lost.slice(0, 2), `${lost}.original`));
    const stopped = await reindexStore(configA, log);
    expect(stopped.vocabularyImported).toBe(true);
    expect(stopped.report.switched).toBe(false);
    expect(stopped.report.failed).toEqual([
      expect.objectContaining({ id: lost, code: ErrorCode.NOT_FOUND, message: 'stored copy missing' }),
    ]);
    await expectRefused(configA, /records no models|reindex` is running/);

    const run = await reindexStore(configA, log, undefined, { dropMissing: true });
    expect(run.vocabularyImported).toBe(false);
    expect(run.report).toMatchObject({ switched: true, images: 3, embedded: 0, resumed: 3 });
    await withStore(async (store) => {
      const vocabulary = (await store.collectionInfo(VOCABULARY))!;
      expect(recordedIdentity(vocabulary.metadata)).toMatchObject({
        wordVectors: { name: 'glove-wink-100d' },
      });
      expect(vocabulary.count).toBe(Number(TEST_ENV.VOCAB_LIMIT));
    });
    await expectEmbeddedBy(configA, 3);
    await withStore(async (store) => {
      // The import's state lives in the store: complete, every word, no lease left behind.
      const record = readImportRecord((await store.collectionInfo(VOCABULARY))!.metadata);
      expect(record).toMatchObject({ imported: Number(TEST_ENV.VOCAB_LIMIT) });
      expect(record?.lease).toBeUndefined();
    });
  });
});
