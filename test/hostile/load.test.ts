import sharp from 'sharp';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClassifyDocument, IngestImagesDocument, SearchImagesDocument } from '../../src/generated/graphql.js';
import { codes, gql } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { noise } from './corpus.js';

/** Loopback load, bounded in count: back-pressure, memory, cheap queries unaffected, graceful stop. */

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function searchLatencies(url: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const res = await gql(url, SearchImagesDocument, { text: 'zebra', first: 5 });
    expect(res.errors).toBeUndefined();
    out.push(performance.now() - t);
  }
  return out;
}

describe('under load', () => {
  let server: TestServer;

  beforeAll(async () => {
    // Room for 2 images in the models and none waiting: everything past that is refused at once. On the
    // embedded store always: this measures the server's queueing, and a Qdrant on the same 2 cores would
    // compete with the models for CPU.
    server = await startTestServer({
      embedded: true,
      env: { INFERENCE_CONCURRENCY: '1', BATCH_SIZE: '2', INFERENCE_QUEUE: '0', MAX_FILES: '2' },
    });
    for (let i = 0; i < 4; i++) {
      const files = { 'images.0': { bytes: await noise(64, 64), filename: `${i}.png` } };
      expect(
        (await gql(server.url, IngestImagesDocument, { images: [null] }, { files })).errors,
      ).toBeUndefined();
    }
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('50 concurrent classify: each succeeds or gets SERVER_BUSY + 429 + Retry-After; memory bounded; search stays fast', async () => {
    await searchLatencies(server.url, 3); // warm-up
    const idle = median(await searchLatencies(server.url, 7));
    const images = await Promise.all(Array.from({ length: 50 }, () => noise(256, 256)));
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();

    let settled = 0;
    const requests = images.map((bytes) =>
      gql(
        server.url,
        ClassifyDocument,
        { image: null },
        { files: { image: { bytes, filename: 'n.png' } } },
      ).finally(() => settled++),
    );
    // Wait until image work is running, then measure search while it is saturated.
    while (server.services.embedding.load.running === 0) await new Promise((r) => setTimeout(r, 5));
    const busy = median(await searchLatencies(server.url, 7));
    const saturated = server.services.embedding.load.running > 0 || settled < images.length;
    const results = await Promise.all(requests);
    const burst = performance.now() - started;

    let ok = 0;
    let refused = 0;
    for (const res of results) {
      if (!res.errors) {
        expect(res.status).toBe(200);
        expect(res.data!.classify.labels.length).toBeGreaterThan(0);
        ok++;
      } else {
        expect(codes(res)).toEqual(['SERVER_BUSY']);
        expect(res.status).toBe(429);
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        refused++;
      }
    }
    expect(ok).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
    // Generous: 50 decoded 256² images and their tensors are a few tens of MB.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(1024 ** 3);
    // Text search does not queue behind image work: while the models are busy it answers in a small part
    // of the burst's time (generous factors, not targets; the event loop is shared with the image work).
    expect(saturated).toBe(true);
    expect(busy).toBeLessThan(burst / 5);
    expect(busy).toBeLessThan(Math.max(idle, 5) * 200);
  });

  it('stop() lets an in-flight request finish, then refuses new connections', async () => {
    const local = await startTestServer();
    const big = await sharp(randomBytes(3000 * 2000 * 3), { raw: { width: 3000, height: 2000, channels: 3 } })
      .jpeg()
      .toBuffer();
    const slow = gql(
      local.url,
      ClassifyDocument,
      { image: null },
      { files: { image: { bytes: big, filename: 'big.jpg' } } },
    );
    while (local.services.embedding.load.admitted === 0) await new Promise((r) => setTimeout(r, 5));
    const stopped = local.stop();
    const res = await slow;
    expect(res.errors).toBeUndefined();
    expect(res.data!.classify.labels.length).toBeGreaterThan(0);
    await stopped;
    await expect(fetch(`${local.url}/healthz`)).rejects.toThrow();
  });
});
