import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import type {
  CollectionSpec,
  Filter,
  Point,
  ScoredPoint,
  VectorStore,
} from '../../src/store/vector-store.js';
import { normalize } from '../../src/vectors.js';
import { clusteredVectors, exactCosine, expectedRanking, randomVector, rng, samplePoints } from './data.js';

/**
 * One behavioural contract for every VectorStore backend. Collections get a random suffix so runs against
 * a shared server do not collide.
 */

export interface StoreHandle {
  store: VectorStore;
  /** A new store over the same data (the old one is closed first by the suite). */
  reopen: () => Promise<VectorStore>;
  cleanup: () => Promise<void>;
}

export interface ContractOptions {
  /** Points for the ANN recall case: at least the backend's ANN threshold. */
  annPoints: number;
  /** Waits until approximate search is served by the index (e.g. the embedded store's background build). */
  awaitIndex?: (store: VectorStore, collection: string) => Promise<void>;
}

const SPEC = (name: string): CollectionSpec => ({
  name,
  vectors: { semantic: { size: 8 }, visual: { size: 12 } },
  indexedFields: { kind: 'keyword', flag: 'bool', n: 'integer', weight: 'float', tags: 'keyword' },
});

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  await expect(p).rejects.toMatchObject({ code });
}

function expectRanking(got: ScoredPoint[], want: { id: string; score: number }[]): void {
  expect(got.length).toBe(want.length);
  const exact = new Map(want.map((w) => [w.id, w.score]));
  got.forEach((g, i) => {
    expect(g.score).toBeCloseTo(want[i]!.score, 5);
    // The id returned at i has exactly the score of the one expected there (near-ties may swap).
    const own = exact.get(g.id) ?? NaN;
    expect(Math.abs(own - g.score)).toBeLessThan(1e-5);
  });
}

export function runStoreContract(
  name: string,
  makeStore: () => Promise<StoreHandle>,
  options: ContractOptions,
): void {
  describe(`VectorStore contract: ${name}`, () => {
    let h: StoreHandle;
    let store: VectorStore;
    const suffix = randomBytes(4).toString('hex');
    const col = (base: string): string => `${base}_${suffix}`;
    const points = samplePoints(200);
    const main = col('main');

    beforeAll(async () => {
      h = await makeStore();
      store = h.store;
      await store.ensureCollection(SPEC(main));
      await store.upsert(main, points);
    });
    afterAll(async () => {
      const names = ['dims', 'crud', 'big', 'ann', 'persist', 'meta', 'swap_t', 'swap_s', 'swap_n'];
      for (const c of [main, ...names.map(col)]) {
        await store.dropCollection(c).catch(() => undefined);
      }
      await store.close();
      await h.cleanup();
    });

    it('ensureCollection is idempotent and refuses other vector sizes', async () => {
      const c = col('dims');
      await store.ensureCollection(SPEC(c));
      await store.ensureCollection(SPEC(c));
      expect(await store.collectionInfo(c)).toEqual({
        name: c,
        vectors: SPEC(c).vectors,
        count: 0,
        metadata: {},
      });
      const other = { ...SPEC(c), vectors: { semantic: { size: 9 }, visual: { size: 12 } } };
      await expect(store.ensureCollection(other)).rejects.toMatchObject({
        code: ErrorCode.DIMENSION_MISMATCH,
        message: expect.stringMatching(/semantic:8.*semantic:9/) as unknown,
      });
      await expectCode(
        store.ensureCollection({ ...SPEC(c), vectors: { semantic: { size: 8 } } }),
        ErrorCode.DIMENSION_MISMATCH,
      );
      await store.dropCollection(c);
      expect(await store.collectionInfo(c)).toBeUndefined();
    });

    it('upserts, replaces, gets in the order asked and deletes', async () => {
      const c = col('crud');
      await store.ensureCollection(SPEC(c));
      const [a, b, d] = samplePoints(3, 7);
      await store.upsert(c, [a!, b!, d!]);
      const got = await store.get(c, [d!.id, 'missing', a!.id], { withVectors: true });
      expect(got.map((p) => p.id)).toEqual([d!.id, a!.id]);
      expect(got[0]!.payload).toEqual(d!.payload);
      for (const name of ['semantic', 'visual']) {
        const want = normalize(d!.vectors[name]!);
        got[0]!.vectors![name]!.forEach((x, i) => expect(x).toBeCloseTo(want[i]!, 5));
      }
      expect((await store.get(c, [a!.id]))[0]!.vectors).toBeUndefined();

      const replaced: Point = { ...a!, payload: { kind: 'new' }, vectors: b!.vectors };
      await store.upsert(c, [replaced]);
      const again = await store.get(c, [a!.id], { withVectors: true });
      expect(again[0]!.payload).toEqual({ kind: 'new' });
      expect(exactCosine(again[0]!.vectors!.semantic!, b!.vectors.semantic!)).toBeCloseTo(1, 5);
      expect(await store.count(c)).toBe(3);

      expect(await store.delete(c, [a!.id, 'missing', a!.id])).toBe(1);
      expect(await store.get(c, [a!.id])).toEqual([]);
      expect(await store.count(c)).toBe(2);
      const hits = await store.search(c, { using: 'semantic', vector: a!.vectors.semantic!, limit: 10 });
      expect(hits.map((p) => p.id)).not.toContain(a!.id);
    });

    it('rejects wrong vector sizes on upsert and search, writing nothing', async () => {
      const [p] = samplePoints(1, 3);
      const bad: Point = {
        ...p!,
        id: 'bad',
        vectors: { semantic: new Float32Array(7), visual: p!.vectors.visual! },
      };
      await expectCode(
        store.upsert(main, [{ ...p!, id: 'good-but-batched' }, bad]),
        ErrorCode.DIMENSION_MISMATCH,
      );
      expect(await store.get(main, ['good-but-batched', 'bad'])).toEqual([]);
      await expectCode(
        store.search(main, { using: 'semantic', vector: new Float32Array(12), limit: 1 }),
        ErrorCode.DIMENSION_MISMATCH,
      );
      await expectCode(
        store.search(main, { using: 'nope', vector: new Float32Array(8), limit: 1 }),
        ErrorCode.BAD_USER_INPUT,
      );
    });

    it.each(['semantic', 'visual'])('orders %s results by exact cosine, ties by id', async (using) => {
      const query = randomVector(rng(42), using === 'semantic' ? 8 : 12);
      const got = await store.search(main, { using, vector: query, limit: 25, exact: true });
      expectRanking(got, expectedRanking(points, using, query).slice(0, 25));
      const approx = await store.search(main, { using, vector: query, limit: 25 });
      expectRanking(approx, expectedRanking(points, using, query).slice(0, 25));
      expect(got[0]!.payload).toEqual(points.find((p) => p.id === got[0]!.id)!.payload);
    });

    it('breaks equal scores by id ascending', async () => {
      const c = col('crud');
      await store.ensureCollection(SPEC(c));
      const v = {
        semantic: new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]),
        visual: new Float32Array(12).fill(1),
      };
      await store.upsert(
        c,
        ['t-c', 't-a', 't-b'].map((id) => ({ id, vectors: v, payload: { tie: true } })),
      );
      const got = await store.search(c, {
        using: 'semantic',
        vector: v.semantic,
        limit: 3,
        filter: { must: [{ key: 'tie', match: true }] },
      });
      expect(got.map((p) => p.id)).toEqual(['t-a', 't-b', 't-c']);
      const second = await store.search(c, {
        using: 'semantic',
        vector: v.semantic,
        limit: 1,
        offset: 1,
        filter: { must: [{ key: 'tie', match: true }] },
      });
      expect(second.map((p) => p.id)).toEqual(['t-b']);
    });

    it('applies scoreThreshold', async () => {
      const query = randomVector(rng(5), 8);
      const want = expectedRanking(points, 'semantic', query).filter((w) => w.score >= 0.3);
      const got = await store.search(main, {
        using: 'semantic',
        vector: query,
        limit: 200,
        scoreThreshold: 0.3,
      });
      expectRanking(got, want);
    });

    const filterCases: [string, Filter, (p: Point) => boolean][] = [
      ['match bool', { must: [{ key: 'flag', match: true }] }, (p) => p.payload.flag === true],
      ['match keyword', { must: [{ key: 'kind', match: 'dog' }] }, (p) => p.payload.kind === 'dog'],
      [
        'match in array',
        { must: [{ key: 'tags', match: 'five' }] },
        (p) => (p.payload.tags as string[]).includes('five'),
      ],
      ['anyOf', { must: [{ key: 'kind', anyOf: ['cat', 'bird'] }] }, (p) => p.payload.kind !== 'dog'],
      [
        'integer range',
        { must: [{ key: 'n', range: { gte: 20, lt: 60 } }] },
        (p) => (p.payload.n as number) >= 20 && (p.payload.n as number) < 60,
      ],
      [
        'float range',
        { must: [{ key: 'weight', range: { gt: 50 } }] },
        (p) => (p.payload.weight as number) > 50,
      ],
      [
        'mustNot',
        {
          must: [{ key: 'flag', match: false }],
          mustNot: [
            { key: 'kind', match: 'cat' },
            { key: 'n', range: { lte: 50 } },
          ],
        },
        (p) => p.payload.flag === false && p.payload.kind !== 'cat' && (p.payload.n as number) > 50,
      ],
    ];

    it.each(filterCases)('filters: %s (search and count)', async (_label, filter, keep) => {
      const query = randomVector(rng(9), 12);
      const want = expectedRanking(points, 'visual', query, keep);
      const got = await store.search(main, { using: 'visual', vector: query, limit: 200, filter });
      expectRanking(got, want);
      expect(await store.count(main, filter)).toBe(points.filter(keep).length);
    });

    it('counts without a filter', async () => {
      expect(await store.count(main)).toBe(points.length);
    });

    it('pages with offsets without gaps or duplicates, equal to one big page', async () => {
      const query = randomVector(rng(11), 8);
      const big = await store.search(main, { using: 'semantic', vector: query, limit: 120, exact: true });
      const paged: ScoredPoint[] = [];
      for (let offset = 0; offset < 120; offset += 7) {
        const limit = Math.min(7, 120 - offset);
        paged.push(
          ...(await store.search(main, { using: 'semantic', vector: query, limit, offset, exact: true })),
        );
      }
      expect(paged.map((p) => p.id)).toEqual(big.map((p) => p.id));
      expect(new Set(paged.map((p) => p.id)).size).toBe(120);
    });

    it('scrolls over every point exactly once, with and without a filter', async () => {
      const cases: [Filter | undefined, (p: Point) => boolean][] = [
        [undefined, () => true],
        [{ must: [{ key: 'kind', match: 'bird' }] }, (p) => p.payload.kind === 'bird'],
      ];
      for (const [filter, keep] of cases) {
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.scroll(main, { limit: 13, cursor, filter, withVectors: pages === 0 });
          if (pages === 0) expect(page.points[0]!.vectors?.semantic).toBeInstanceOf(Float32Array);
          seen.push(...page.points.map((p) => p.id));
          cursor = page.next;
          pages++;
        } while (cursor !== undefined && pages < 100);
        expect(new Set(seen).size).toBe(seen.length);
        expect([...seen].sort()).toEqual(
          points
            .filter(keep)
            .map((p) => p.id)
            .sort(),
        );
      }
    });

    it('round-trips a large batch (5,000 x 64-d)', async () => {
      const c = col('big');
      await store.ensureCollection({ name: c, vectors: { v: { size: 64 } } });
      const r = rng(77);
      const big: Point[] = Array.from({ length: 5000 }, (_, i) => ({
        id: `b${i}`,
        vectors: { v: randomVector(r, 64) },
        payload: { i },
      }));
      await store.upsert(c, big);
      expect(await store.count(c)).toBe(5000);
      const sample = [4999, 0, 2500, 1234].map((i) => big[i]!);
      const got = await store.get(
        c,
        sample.map((p) => p.id),
        { withVectors: true },
      );
      expect(got.map((p) => p.payload.i)).toEqual([4999, 0, 2500, 1234]);
      got.forEach((g, k) => expect(exactCosine(g.vectors!.v!, sample[k]!.vectors.v!)).toBeCloseTo(1, 5));
      const top = await store.search(c, { using: 'v', vector: big[321]!.vectors.v!, limit: 1, exact: true });
      expect(top[0]!.id).toBe('b321');
    });

    it('keeps data across close and reopen', async () => {
      const c = col('persist');
      await store.ensureCollection(SPEC(c));
      await store.upsert(c, samplePoints(50, 21));
      await store.delete(c, ['p0003']);
      await store.close();
      store = await h.reopen();
      expect(await store.count(c)).toBe(49);
      expect(await store.count(main)).toBe(points.length);
      const query = randomVector(rng(12), 8);
      const got = await store.search(c, { using: 'semantic', vector: query, limit: 10 });
      expectRanking(
        got,
        expectedRanking(
          samplePoints(50, 21).filter((p) => p.id !== 'p0003'),
          'semantic',
          query,
        ).slice(0, 10),
      );
    });

    it('keeps collection metadata: set at creation, merged key by key, durable, refused when bad', async () => {
      const c = col('meta');
      const identity = { encoder: { name: 'enc', sha256: 'a'.repeat(64), dimension: 12 } };
      await store.ensureCollection({ ...SPEC(c), metadata: { visem: { identity } } });
      // An existing collection keeps its own metadata.
      await store.ensureCollection({ ...SPEC(c), metadata: { visem: 'other' } });
      expect((await store.collectionInfo(c))!.metadata).toEqual({ visem: { identity } });
      await store.upsert(c, samplePoints(3, 5));
      await store.updateCollectionMetadata(c, { visem: { pending: identity }, note: 'x' });
      await store.updateCollectionMetadata(c, { note: ['y', 1, true, null] });
      const want = { visem: { pending: identity }, note: ['y', 1, true, null] };
      expect((await store.collectionInfo(c))!.metadata).toEqual(want);
      expect(await store.count(c)).toBe(3);
      await expectCode(store.updateCollectionMetadata(c, { _secret: 1 }), ErrorCode.BAD_USER_INPUT);
      await expectCode(
        store.updateCollectionMetadata(c, { big: 'x'.repeat(70_000) }),
        ErrorCode.BAD_USER_INPUT,
      );
      await expectCode(
        store.ensureCollection({ ...SPEC(col('nope')), metadata: { _x: 1 } }),
        ErrorCode.BAD_USER_INPUT,
      );
      await expectCode(
        store.updateCollectionMetadata(col('missing'), { a: 1 }),
        ErrorCode.STORE_MISCONFIGURED,
      );
      await store.close();
      store = await h.reopen();
      expect((await store.collectionInfo(c))!.metadata).toEqual(want);
    });

    it('replaceCollection moves points, vectors and metadata under the target name, retiring the source', async () => {
      const [t, src, fresh] = [col('swap_t'), col('swap_s'), col('swap_n')];
      const small = { semantic: { size: 8 }, visual: { size: 5 } };
      await store.ensureCollection({ ...SPEC(t), metadata: { gen: 1 } });
      await store.upsert(t, samplePoints(4, 31));
      const r = rng(32);
      const mk = (i: number, kind: string): Point => ({
        id: `s${i}`,
        vectors: { semantic: randomVector(r, 8), visual: randomVector(r, 5) },
        payload: { kind },
      });
      const news = Array.from({ length: 6 }, (_, i) => mk(i, 'new'));
      await store.ensureCollection({
        name: src,
        vectors: small,
        indexedFields: { kind: 'keyword' },
        metadata: { gen: 2 },
      });
      await store.upsert(src, news);

      await store.replaceCollection(t, src);
      expect(await store.collectionInfo(src)).toBeUndefined();
      expect(await store.collectionInfo(t)).toEqual({
        name: t,
        vectors: small,
        count: 6,
        metadata: { gen: 2 },
      });
      // Point ids, replacement by id, deletes, search, scroll and filters all work under the new name.
      const got = await store.get(t, ['s2', 'p0000', 's4'], { withVectors: true });
      expect(got.map((p) => p.id)).toEqual(['s2', 's4']);
      expect(exactCosine(got[0]!.vectors!.visual!, news[2]!.vectors.visual!)).toBeCloseTo(1, 5);
      await store.upsert(t, [{ ...news[2]!, payload: { kind: 'replaced' } }]);
      expect(await store.count(t)).toBe(6);
      expect((await store.get(t, ['s2']))[0]!.payload).toEqual({ kind: 'replaced' });
      expect(await store.delete(t, ['s5'])).toBe(1);
      expect(await store.count(t, { must: [{ key: 'kind', match: 'new' }] })).toBe(4);
      const top = await store.search(t, { using: 'visual', vector: news[3]!.vectors.visual!, limit: 1 });
      expect(top[0]!.id).toBe('s3');
      const page = await store.scroll(t, { limit: 100 });
      expect(page.points.map((p) => p.id).sort()).toEqual(['s0', 's1', 's2', 's3', 's4']);
      await expectCode(store.upsert(src, [mk(9, 'x')]), ErrorCode.STORE_MISCONFIGURED);

      // The source name can be made again, and replace a target again, or a missing one.
      await store.ensureCollection({ name: src, vectors: small, metadata: { gen: 3 } });
      expect((await store.collectionInfo(src))!.count).toBe(0);
      await store.upsert(src, [mk(7, 'third')]);
      await store.replaceCollection(t, src);
      expect(await store.collectionInfo(t)).toMatchObject({ count: 1, metadata: { gen: 3 } });
      expect((await store.get(t, ['s7'])).map((p) => p.id)).toEqual(['s7']);
      await store.ensureCollection({ name: src, vectors: small });
      await store.replaceCollection(fresh, src);
      expect(await store.collectionInfo(fresh)).toMatchObject({ count: 0, metadata: {} });
      await expectCode(store.replaceCollection(t, col('missing')), ErrorCode.STORE_MISCONFIGURED);

      await store.close();
      store = await h.reopen();
      expect(await store.collectionInfo(src)).toBeUndefined();
      expect(await store.collectionInfo(t)).toMatchObject({ vectors: small, count: 1, metadata: { gen: 3 } });
      expect((await store.get(t, ['s7'])).map((p) => p.id)).toEqual(['s7']);
    });

    it(`ANN search keeps recall@10 >= 0.98 on clustered data (${options.annPoints} points)`, async () => {
      const c = col('ann');
      const dim = 32;
      await store.ensureCollection({
        name: c,
        vectors: { v: { size: dim } },
        indexedFields: { even: 'bool' },
      });
      const r = rng(2024);
      // Queries come from the same clusters as the data (held out), as real queries resemble the corpus.
      const all = clusteredVectors(r, options.annPoints + 50, dim, 50);
      const vecs = all.slice(0, options.annPoints);
      const queries = all.slice(options.annPoints);
      for (let i = 0; i < vecs.length; i += 1000) {
        await store.upsert(
          c,
          vecs
            .slice(i, i + 1000)
            .map((v, k) => ({ id: `a${i + k}`, vectors: { v }, payload: { even: (i + k) % 2 === 0 } })),
        );
      }
      await options.awaitIndex?.(store, c);
      let found = 0;
      let total = 0;
      for (const q of queries) {
        const exact = await store.search(c, { using: 'v', vector: q, limit: 10, exact: true });
        const approx = await store.search(c, { using: 'v', vector: q, limit: 10 });
        const want = new Set(exact.map((p) => p.id));
        found += approx.filter((p) => want.has(p.id)).length;
        total += exact.length;
        // Scores of approximate hits are still exact cosines.
        approx.forEach((p, i) => i > 0 && expect(p.score).toBeLessThanOrEqual(approx[i - 1]!.score));
      }
      expect(found / total).toBeGreaterThanOrEqual(0.98);
      // Filtered approximate search: everything returned matches, recall still high.
      const q = queries[0]!;
      const filter = { must: [{ key: 'even', match: true }] };
      const exact = await store.search(c, { using: 'v', vector: q, limit: 10, exact: true, filter });
      const approx = await store.search(c, { using: 'v', vector: q, limit: 10, filter });
      expect(approx.every((p) => Number(p.id.slice(1)) % 2 === 0)).toBe(true);
      expect(approx.filter((p) => exact.some((e) => e.id === p.id)).length).toBeGreaterThanOrEqual(9);
      // Deleted points never come back from the index.
      await store.delete(
        c,
        exact.map((p) => p.id),
      );
      const after = await store.search(c, { using: 'v', vector: q, limit: 10, filter });
      expect(after.some((p) => exact.some((e) => e.id === p.id))).toBe(false);
      expect(after.length).toBe(10);
    });
  });
}
