import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { QdrantStore } from '../../src/store/qdrant.store.js';
import { normalize } from '../../src/vectors.js';
import { runStoreContract } from './contract.js';
import { samplePoints } from './data.js';
import { FaultyProxy } from './qdrant-faults.js';

/**
 * Runs only against a real Qdrant (QDRANT_URL, e.g. `docker compose up qdrant`); without one the suite is
 * reported as skipped, never as passed.
 */
const url = process.env.QDRANT_URL;

if (!url) {
  console.warn('QDRANT_URL not set: Qdrant contract suite SKIPPED (not passed)');
  describe.skip('VectorStore contract: qdrant (QDRANT_URL not set)', () => {
    it.skip('needs a running Qdrant', () => undefined);
  });
} else {
  const connect = (): Promise<QdrantStore> =>
    QdrantStore.connect({
      url,
      ...(process.env.QDRANT_API_KEY ? { apiKey: process.env.QDRANT_API_KEY } : {}),
      timeoutMs: 30_000,
    });
  runStoreContract(
    'qdrant',
    async () => ({ store: await connect(), reopen: connect, cleanup: () => Promise.resolve() }),
    // Above Qdrant's default full-scan threshold (10,000 KB of vectors), so the HNSW index serves queries.
    { annPoints: 12_000 },
  );

  describe('Qdrant upsert with a fault midway', () => {
    it('fails with STORE_UNAVAILABLE, leaves only whole points, and the same call again completes it', async () => {
      const proxy = await FaultyProxy.start(url);
      const store = await QdrantStore.connect({ url: proxy.url, timeoutMs: 30_000, retries: 0 });
      const c = `faults_${randomBytes(4).toString('hex')}`;
      try {
        await store.ensureCollection({ name: c, vectors: { semantic: { size: 8 }, visual: { size: 12 } } });
        const points = samplePoints(700, 3); // three chunks of at most 256
        proxy.failUpsert(2);
        await expect(store.upsert(c, points)).rejects.toMatchObject({ code: ErrorCode.STORE_UNAVAILABLE });
        const written = await store.get(
          c,
          points.map((p) => p.id),
          { withVectors: true },
        );
        // The contract: some points, each whole (payload and both vectors as written).
        expect(written.length).toBe(256);
        const byId = new Map(points.map((p) => [p.id, p]));
        for (const w of written) {
          const want = byId.get(w.id)!;
          expect(w.payload).toEqual(want.payload);
          for (const name of ['semantic', 'visual']) {
            const v = normalize(want.vectors[name]!);
            w.vectors![name]!.forEach((x, i) => expect(x).toBeCloseTo(v[i]!, 5));
          }
        }
        await store.upsert(c, points);
        expect(await store.count(c)).toBe(700);
        await store.upsert(c, points);
        expect(await store.count(c)).toBe(700);
      } finally {
        await store.dropCollection(c).catch(() => undefined);
        await proxy.close();
      }
    });
  });
}
