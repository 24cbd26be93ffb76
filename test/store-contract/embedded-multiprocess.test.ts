import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { EmbeddedStore } from '../../src/store/embedded.store.js';
import type { Point } from '../../src/store/vector-store.js';
import { clusteredVectors, rng } from './data.js';
import { StoreChild } from './store-child.js';

/**
 * `visem serve` and `visem ingest` on one data directory: two real processes, each with its own
 * EmbeddedStore. Each must see the other's commits (upserts, replacements, deletes, collections created
 * and dropped) without reopening, on the exact and on the ANN path.
 */

const DIM = 16;
const ANN_MIN = 500;
const OPTS = { annMinPoints: ANN_MIN, annBuildThreads: 1 };
const vecs = clusteredVectors(rng(11), 6_000, DIM, 12);
const pt = (id: string, i: number, payload: Point['payload'] = { i }): Point => ({
  id,
  vectors: { v: vecs[i]! },
  payload,
});
const wire = (p: Point): { id: string; v: number[]; payload: Point['payload'] } => ({
  id: p.id,
  v: [...p.vectors.v!],
  payload: p.payload,
});
const ids = (n: number, prefix: string, from = 0): string[] =>
  Array.from({ length: n }, (_, k) => `${prefix}${from + k}`);

describe('EmbeddedStore: several processes on one directory', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'visem-mp-'));
  let store: EmbeddedStore;
  let child: StoreChild;

  beforeAll(async () => {
    store = await EmbeddedStore.open({ dir, ...OPTS, annBuildDelayMs: 1000, busyTimeoutMs: 300 });
    await store.ensureCollection({ name: 'mp', vectors: { v: { size: DIM } } });
    await store.upsert(
      'mp',
      ids(1000, 'p').map((id, i) => pt(id, i)),
    );
    await store.buildIndexes('mp');
    expect(store.annStats('mp')[0]!.indexed).toBe(1000);
    child = StoreChild.start(dir, OPTS);
  });
  afterAll(async () => {
    await child?.stop();
    await store?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function scrollIds(collection: string): Promise<string[]> {
    const out: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.scroll(collection, { limit: 128, cursor });
      out.push(...page.points.map((p) => p.id));
      cursor = page.next;
    } while (cursor);
    return out;
  }

  it("the parent sees the child's inserts, replacements and deletes without reopening (ANN path)", async () => {
    expect(await child.call({ op: 'count', collection: 'mp' })).toBe(1000);
    await child.call({
      op: 'upsert',
      collection: 'mp',
      points: ids(200, 'n').map((id, k) => wire(pt(id, 1000 + k))),
    });
    // p0..p49 get other vectors and payloads (new rowids); p100..p129 go away.
    await child.call({
      op: 'upsert',
      collection: 'mp',
      points: ids(50, 'p').map((id, k) => wire(pt(id, 2000 + k, { replaced: true }))),
    });
    expect(await child.call({ op: 'delete', collection: 'mp', ids: ids(30, 'p', 100) })).toBe(30);

    expect(await store.count('mp')).toBe(1170);
    expect(await store.count('mp', { must: [{ key: 'replaced', match: true }] })).toBe(50);
    expect(await store.get('mp', ['p100', 'p129'])).toEqual([]);
    const [p7] = await store.get('mp', ['p7'], { withVectors: true });
    expect(p7!.payload).toEqual({ replaced: true });
    expect(await store.get('mp', ['n0'])).toEqual([{ id: 'n0', payload: { i: 1000 } }]);
    const all = await scrollIds('mp');
    expect(all.length).toBe(1170);
    expect(new Set(all).size).toBe(1170);
    expect(all).not.toContain('p100');

    // The index (1,000 rows) is still served: replaced/deleted rows skipped, the child's rows in the tail.
    const [stats] = store.annStats('mp');
    expect(stats).toMatchObject({ indexed: 1000, tail: 250 });
    for (const [i, want] of [
      [1005, 'n5'], // a new point
      [2007, 'p7'], // a replaced point's new vector
    ] as const) {
      const hits = await store.search('mp', { using: 'v', vector: vecs[i]!, limit: 10 });
      const exact = await store.search('mp', { using: 'v', vector: vecs[i]!, limit: 10, exact: true });
      expect(hits[0]!.id).toBe(want);
      expect(hits[0]!.score).toBeCloseTo(1, 5);
      expect(hits.map((h) => h.id)).toEqual(exact.map((h) => h.id));
    }
    const near100 = await store.search('mp', { using: 'v', vector: vecs[100]!, limit: 50 });
    expect(near100.map((h) => h.id)).not.toContain('p100');
    // p7's old vector no longer scores 1 for p7.
    const near7 = await store.search('mp', { using: 'v', vector: vecs[7]!, limit: 5 });
    expect(near7.find((h) => h.id === 'p7')?.score ?? 0).toBeLessThan(0.999);
  });

  it("the child sees the parent's writes", async () => {
    await store.upsert('mp', [pt('q0', 3000), pt('n1', 3001, { again: 1 })]);
    expect(await store.delete('mp', ['n2', 'n3'])).toBe(2);
    expect(await child.call({ op: 'count', collection: 'mp' })).toBe(1169);
    expect(await child.call({ op: 'get', collection: 'mp', ids: ['n1', 'n2', 'q0'] })).toEqual([
      { id: 'n1', payload: { again: 1 } },
      { id: 'q0', payload: { i: 3000 } },
    ]);
    const top = await child.call<string[]>({ op: 'search', collection: 'mp', v: [...vecs[3001]!], limit: 3 });
    expect(top[0]).toBe('n1');
    const scrolled = await child.call<string[]>({ op: 'scroll', collection: 'mp' });
    expect(scrolled.length).toBe(1169);
    expect(scrolled).toContain('q0');
  });

  it('notices collections created and dropped by the other process', async () => {
    await child.call({ op: 'ensure', collection: 'side', size: 4 });
    await child.call({
      op: 'upsert',
      collection: 'side',
      points: [{ id: 'a', v: [1, 0, 0, 0], payload: {} }],
    });
    expect(await store.collectionInfo('side')).toEqual({
      name: 'side',
      vectors: { v: { size: 4 } },
      count: 1,
      metadata: {},
    });
    await store.ensureCollection({ name: 'side', vectors: { v: { size: 4 } } }); // exists: no conflict
    await child.call({ op: 'drop', collection: 'side' });
    expect(await store.collectionInfo('side')).toBeUndefined();
    await expect(store.count('side')).rejects.toMatchObject({ code: ErrorCode.STORE_MISCONFIGURED });
    // Recreated elsewhere with another size: a fresh collection, not the old mirror.
    await child.call({ op: 'ensure', collection: 'side', size: 3 });
    expect(await store.collectionInfo('side')).toEqual({
      name: 'side',
      vectors: { v: { size: 3 } },
      count: 0,
      metadata: {},
    });
    await store.dropCollection('side');
    expect(await child.call({ op: 'info', collection: 'side' })).toBeNull();
  });

  it("sees the other process's collection metadata and replaceCollection, ANN index included", async () => {
    await store.ensureCollection({
      name: 'next',
      vectors: { v: { size: DIM } },
      metadata: { visem: 'pending' },
    });
    await store.upsert(
      'next',
      ids(800, 'n').map((id, k) => pt(id, 4000 + k)),
    );
    await store.buildIndexes('next');
    await child.call({ op: 'meta', collection: 'next', patch: { visem: 'done' } });
    expect((await store.collectionInfo('next'))!.metadata).toEqual({ visem: 'done' });
    // The child swaps it in: the parent, which has both loaded, sees the new 'live' without reopening.
    await store.ensureCollection({ name: 'live', vectors: { v: { size: DIM } } });
    await store.upsert('live', [pt('old', 1)]);
    await child.call({ op: 'replace', target: 'live', source: 'next' });
    expect(await store.collectionInfo('next')).toBeUndefined();
    expect(await store.collectionInfo('live')).toEqual({
      name: 'live',
      vectors: { v: { size: DIM } },
      count: 800,
      metadata: { visem: 'done' },
    });
    const hits = await store.search('live', { using: 'v', vector: vecs[4005]!, limit: 1 });
    expect(hits[0]!.id).toBe('n5');
    expect(await store.get('live', ['old'])).toEqual([]);
    // And the other way round.
    await store.ensureCollection({ name: 'next', vectors: { v: { size: DIM } } });
    await store.upsert('next', [pt('again', 2)]);
    await store.replaceCollection('live', 'next');
    expect(await child.call({ op: 'scroll', collection: 'live' })).toEqual(['again']);
    expect(await child.call({ op: 'info', collection: 'next' })).toBeNull();
    await store.dropCollection('live');
  });

  it('a write right after the other process wrote, with no read between, keeps both', async () => {
    await child.call({ op: 'upsert', collection: 'mp', points: [wire(pt('c1', 3100))] });
    await store.upsert('mp', [pt('c2', 3101)]);
    expect((await store.get('mp', ['c1', 'c2'])).map((p) => p.id)).toEqual(['c1', 'c2']);
    expect(await child.call({ op: 'count', collection: 'mp' })).toBe(1171);
  });

  it("an index built while the other process's rows are not loaded yet still finds them", async () => {
    // The parent's bulk write makes a rebuild due after its 1 s quiet time; the child commits rows just
    // before the timer fires and the parent reads nothing meanwhile, so the build snapshot lacks them.
    await store.upsert(
      'mp',
      ids(2500, 'b').map((id, k) => pt(id, 3200 + k)),
    );
    await child.call({
      op: 'upsert',
      collection: 'mp',
      points: ids(20, 'late').map((id, k) => wire(pt(id, 5800 + k))),
    });
    await new Promise((r) => setTimeout(r, 1500));
    await store.buildIndexes('mp');
    const [stats] = store.annStats('mp');
    expect(stats!.indexed).toBeGreaterThan(3000);
    for (let k = 0; k < 20; k += 5) {
      const hits = await store.search('mp', { using: 'v', vector: vecs[5800 + k]!, limit: 3 });
      expect(hits[0]!.id).toBe(`late${k}`);
    }
  });

  it('waits for the write lock another process holds, and fails clearly when it is held too long', async () => {
    // busyTimeoutMs is 300 here: a 100 ms lock is waited for, a 2 s one is reported.
    await child.call({ op: 'lock', ms: 100 });
    await store.upsert('mp', [pt('w1', 10)]);
    await child.call({ op: 'lock', ms: 2000 });
    const before = await store.count('mp');
    await expect(store.upsert('mp', [pt('w2', 11)])).rejects.toMatchObject({
      code: ErrorCode.STORE_UNAVAILABLE,
      message: expect.stringMatching(/locked by another process/) as unknown,
    });
    expect(await store.count('mp')).toBe(before); // reads are not blocked by a writer (WAL)
    expect(await store.get('mp', ['w2'])).toEqual([]);
    await new Promise((r) => setTimeout(r, 2000));
    await store.upsert('mp', [pt('w2', 11)]);
    expect(await child.call({ op: 'count', collection: 'mp' })).toBe(before + 1);
  });
});
