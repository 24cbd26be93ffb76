import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ImageDocument,
  ImagesDocument,
  IngestImagesDocument,
  StatsDocument,
  type ImagesQuery,
} from '../../src/generated/graphql.js';
import { loadConfig } from '../../src/config.js';
import { packageRoot } from '../../src/paths.js';
import { codes, gql, type GraphQLResult } from '../support/graphql-client.js';
import { TEST_ENV } from '../support/test-data.js';
import { noise } from './corpus.js';
import { within } from './http.js';
import { copyTemplate, serverOn, spawnCli, waitForStderr } from './processes.js';

/** Real child processes killed with SIGKILL mid-write, then the data dir checked by a fresh server. */

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const cleanup: string[] = [];
afterAll(async () => {
  for (const d of cleanup) await rm(d, { recursive: true, force: true });
});

/**
 * What a server over `dataDir` shows: listed ids are unique and each has its stored copy and thumbnail;
 * for every id in `expected`, `image(id)` and GET /images/<id> agree (both present or both absent).
 */
async function inspectDataDir(dataDir: string, expected: string[]): Promise<Set<string>> {
  const server = await serverOn(dataDir);
  try {
    const listed: string[] = [];
    let after: string | null = null;
    do {
      const page: GraphQLResult<ImagesQuery> = await gql(server.url, ImagesDocument, { first: 100, after });
      expect(page.errors).toBeUndefined();
      const { edges, pageInfo } = page.data!.images;
      listed.push(...edges.map((e) => e.node.id));
      after = pageInfo.hasNextPage ? pageInfo.endCursor! : null;
    } while (after);
    expect(new Set(listed).size).toBe(listed.length);
    for (const id of listed) {
      expect((await fetch(`${server.url}/images/${id}`)).status).toBe(200);
      expect((await fetch(`${server.url}/images/${id}/thumbnail`)).status).toBe(200);
    }
    for (const id of expected) {
      const record = (await gql(server.url, ImageDocument, { id })).data!.image;
      const file = await fetch(`${server.url}/images/${id}`);
      await file.arrayBuffer();
      expect(file.status, id).toBe(record ? 200 : 404);
      expect(listed.includes(id)).toBe(record !== null);
    }
    return new Set(listed);
  } finally {
    await server.stop();
  }
}

describe('crashes and model faults', () => {
  it('SIGKILL during `visem ingest` of a folder: done images present once, nothing half-written, rerun finishes', async () => {
    const dataDir = await copyTemplate();
    const imgDir = await mkdtemp(path.join(tmpdir(), 'visem-imgs-'));
    cleanup.push(dataDir, imgDir);
    const ids: string[] = [];
    for (let i = 0; i < 48; i++) {
      const bytes = await noise(160, 160);
      ids.push(sha256(bytes));
      await writeFile(path.join(imgDir, `${String(i).padStart(3, '0')}.png`), bytes);
    }
    // One file at a time, in sorted order: "ingesting images: N/48" means the first N files are stored.
    const run = spawnCli(['ingest', imgDir, '--concurrency', '1'], { DATA_DIR: dataDir });
    const m = await waitForStderr(run, /ingesting images: (\d+)\/48/);
    run.child.kill('SIGKILL');
    expect((await run.exited).signal).toBe('SIGKILL');
    const done = Number(m[1]);
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(48);

    const present = await inspectDataDir(dataDir, ids);
    for (const id of ids.slice(0, done)) expect(present.has(id)).toBe(true);

    const rerun = spawnCli(['ingest', imgDir], { DATA_DIR: dataDir });
    const { code } = await rerun.exited;
    expect(code, rerun.stderr()).toBe(0);
    expect(rerun.stdout()).toMatch(
      new RegExp(`ingested 48 files: ${48 - present.size} new, ${present.size} already stored, 0 failed`),
    );
    expect(await inspectDataDir(dataDir, ids)).toEqual(new Set(ids));
  });

  it('SIGKILL of the server during ingestImages: acknowledged images present once, the rest all-or-nothing', async () => {
    const dataDir = await copyTemplate();
    cleanup.push(dataDir);
    const serve = spawnCli(['serve'], { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' });
    const url = (await waitForStderr(serve, /visem ready at (http:\/\/\S+)\/graphql/))[1]!;
    const batches = await Promise.all(
      Array.from({ length: 8 }, async () => [await noise(320, 320), await noise(320, 320)]),
    );
    const all = batches.flat().map(sha256);
    const acknowledged: string[] = [];
    let killed = false;
    const requests = batches.map(async (batch) => {
      const res = await gql(
        url,
        IngestImagesDocument,
        { images: [null, null] },
        {
          files: Object.fromEntries(
            batch.map((bytes, i) => [`images.${i}`, { bytes, filename: `${i}.png` }]),
          ),
        },
      ).catch(() => undefined); // the connection dies with the server
      if (res?.data && !killed) acknowledged.push(...res.data.ingestImages.map((i) => i.id));
    });
    // Kill as soon as the first request is acknowledged: the others are mid-flight.
    for (;;) {
      if (acknowledged.length > 0) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    serve.child.kill('SIGKILL');
    killed = true;
    await serve.exited;
    await Promise.all(requests);
    expect(acknowledged.length).toBeGreaterThan(0);

    const present = await inspectDataDir(dataDir, all);
    for (const id of acknowledged) expect(present.has(id)).toBe(true);
    // Retrying everything after the restart completes the set, with no duplicates.
    const server = await serverOn(dataDir);
    try {
      for (const batch of batches) {
        const files = Object.fromEntries(
          batch.map((bytes, i) => [`images.${i}`, { bytes, filename: `${i}.png` }]),
        );
        const res = await gql(server.url, IngestImagesDocument, { images: [null, null] }, { files });
        expect(res.errors).toBeUndefined();
      }
      expect((await gql(server.url, StatsDocument, {})).data!.stats.imageCount).toBe(all.length);
    } finally {
      await server.stop();
    }
  });

  describe('a missing or corrupt model file stops startup with a message naming the file and the fix', () => {
    const startFails = async (env: Record<string, string>, file: string) => {
      const dataDir = await copyTemplate();
      cleanup.push(dataDir);
      const run = spawnCli(['serve'], { DATA_DIR: dataDir, PORT: '0', ...env });
      const { code } = await within(60_000, run.exited);
      expect(code).not.toBe(0);
      expect(run.stderr()).toContain('MODEL_UNAVAILABLE');
      expect(run.stderr()).toContain(file);
      expect(run.stderr()).toMatch(/`visem (models build|train)/);
      expect(run.stderr()).not.toMatch(/^\s+at /m); // a message, not a stack trace
    };

    it('encoder without a build recipe: corrupt, then missing', async () => {
      const modelsDir = await mkdtemp(path.join(tmpdir(), 'visem-models-'));
      cleanup.push(modelsDir);
      const encoder = path.join(modelsDir, 'inception-v3-mixed6');
      await cp(path.join(packageRoot(), 'models/inception-v3-mixed6'), encoder, { recursive: true });
      const manifest = JSON.parse(await readFile(path.join(encoder, 'manifest.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      delete manifest.build;
      await writeFile(path.join(encoder, 'manifest.json'), JSON.stringify(manifest));
      const onnx = path.join(encoder, 'model.onnx');
      const bytes = await readFile(onnx);
      bytes.fill(0, 1000, 2000);
      await writeFile(onnx, bytes);
      const env = { MODELS_DIR: modelsDir, ENCODER: 'inception-v3-mixed6', HEAD: headDir() };
      await startFails(env, onnx);
      await rm(onnx);
      await startFails(env, onnx);
    });

    it("the head's model file corrupt", async () => {
      const head = await mkdtemp(path.join(tmpdir(), 'visem-head-'));
      cleanup.push(head);
      await cp(headDir(), head, { recursive: true });
      const onnx = path.join(head, 'model.onnx');
      const bytes = await readFile(onnx);
      bytes[bytes.length - 1] = bytes.at(-1)! ^ 0xff;
      await writeFile(onnx, bytes);
      await startFails({ ENCODER: 'inception-v3-mixed6', HEAD: head }, onnx);
    });
  });

  it('store file moved away while serving: STORE_UNAVAILABLE fast, server stays up, recovers when it is back', async () => {
    const dataDir = await copyTemplate();
    cleanup.push(dataDir);
    const server = await serverOn(dataDir);
    const db = path.join(dataDir, 'store', 'visem.db');
    const ingest = async () =>
      gql(
        server.url,
        IngestImagesDocument,
        { images: [null] },
        { files: { 'images.0': { bytes: await noise(64, 64), filename: 'a.png' } } },
      );
    try {
      expect((await ingest()).errors).toBeUndefined();
      await rename(db, `${db}.away`);
      const failed = await within(10_000, ingest());
      expect(codes(failed)).toEqual(['STORE_UNAVAILABLE']);
      expect(failed.status).toBeLessThan(500);
      // Still up: reads answer from what is loaded.
      expect((await gql(server.url, StatsDocument, {})).data!.stats.imageCount).toBe(1);
      await rename(`${db}.away`, db);
      expect((await ingest()).errors).toBeUndefined();
      expect((await gql(server.url, StatsDocument, {})).data!.stats.imageCount).toBe(2);
    } finally {
      await server.stop();
    }
  });
});

/**
 * A head without a build recipe (a corrupt ConSE head is rebuilt from its recipe instead): the nsfwjs
 * pipeline's, absolute so it survives a different MODELS_DIR.
 */
const headDir = () => loadConfig(TEST_ENV).fallbackModels.headDir;
