import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/store/embedded.store.js';
import { runStoreContract } from './contract.js';
import { clusteredVectors, rng } from './data.js';

const ANN_MIN = 3_000;

/** The shared contract on the embedded store; `offload` keeps no indexed vector in memory. */
function embeddedContract(name: string, offload: boolean): void {
  runStoreContract(
    name,
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'visem-store-'));
      const open = (): Promise<EmbeddedStore> =>
        EmbeddedStore.open({ dir, annMinPoints: ANN_MIN, ...(offload ? { residentVectorMb: 0 } : {}) });
      return {
        store: await open(),
        reopen: open,
        cleanup: () => Promise.resolve(fs.rmSync(dir, { recursive: true, force: true })),
      };
    },
    {
      annPoints: 12_000,
      awaitIndex: async (store, collection) => {
        const s = store as EmbeddedStore;
        await s.buildIndexes(collection);
        const stats = s.annStats(collection);
        if (stats.some((x) => x.indexed === 0))
          throw new Error(`no ANN index built: ${String(s.buildError)}`);
        if (offload && stats.some((x) => x.inMemory !== x.tail))
          throw new Error(`not offloaded: ${JSON.stringify(stats)}`);
      },
    },
  );
}

embeddedContract('embedded', false);
// Every indexed vector re-scored from SQLite, and its index rebuilt from SQLite.
embeddedContract('embedded, vectors offloaded', true);

describe('EmbeddedStore vectors offloaded to disk', () => {
  it('keeps only the unindexed tail in memory, reopens without reading covered vectors, answers as resident', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'visem-offload-'));
    const open = (name: string, residentVectorMb?: number) =>
      EmbeddedStore.open({
        dir: path.join(dir, name),
        annMinPoints: ANN_MIN,
        annBuildThreads: 1,
        ...(residentVectorMb === undefined ? {} : { residentVectorMb }),
      });
    const vecs = clusteredVectors(rng(11), 8_000, 24, 30);
    const points = (from: number, to: number) =>
      vecs.slice(from, to).map((v, i) => ({ id: `w${from + i}`, vectors: { v }, payload: { n: from + i } }));
    try {
      const stores = [await open('resident'), await open('offloaded', 0)];
      for (const s of stores) {
        await s.ensureCollection({ name: 'w', vectors: { v: { size: 24 } } });
        await s.upsert('w', points(0, 5_000));
        await s.buildIndexes('w');
        await s.upsert('w', points(5_000, 5_100)); // the tail, newer than the index
        await s.delete('w', ['w3', 'w5050']);
      }
      const [resident, offloaded] = stores as [EmbeddedStore, EmbeddedStore];
      expect(resident.annStats('w')[0]).toMatchObject({ indexed: 5000, tail: 99, inMemory: 5098 });
      expect(offloaded.annStats('w')[0]).toMatchObject({ indexed: 5000, tail: 99, inMemory: 99 });

      const queries = [vecs[3]!, vecs[10]!, vecs[5050]!, vecs[5060]!, vecs[7000]!];
      const exactAnswers = async (s: EmbeddedStore) => {
        const out: unknown[] = [];
        for (const q of queries)
          out.push(await s.search('w', { using: 'v', vector: q, limit: 10, exact: true, withVectors: true }));
        out.push(await s.get('w', ['w0', 'w3', 'w4999', 'w5001'], { withVectors: true }));
        out.push(await s.scroll('w', { limit: 5, withVectors: true }));
        return out;
      };
      const annIds = async (s: EmbeddedStore) => {
        const out: string[][] = [];
        for (const q of queries)
          out.push((await s.search('w', { using: 'v', vector: q, limit: 10 })).map((p) => p.id));
        return out;
      };
      const expected = await exactAnswers(resident);
      const expectedAnn = await annIds(resident);
      expect(await exactAnswers(offloaded)).toEqual(expected);
      expect(await annIds(offloaded)).toEqual(expectedAnn);

      // A warm open reads ids and payloads; the covered vectors stay on disk.
      await offloaded.close();
      let reopened = await open('offloaded', 0);
      expect(reopened.annStats('w')[0]).toMatchObject({ indexed: 5000, tail: 99, inMemory: 99 });
      expect(await exactAnswers(reopened)).toEqual(expected);
      expect(await annIds(reopened)).toEqual(expectedAnn);
      await reopened.close();

      // A corrupt index file is dropped; the vectors it covered are still read from disk, answers stay exact.
      const annDir = path.join(dir, 'offloaded', 'ann');
      for (const f of fs.readdirSync(annDir)) fs.writeFileSync(path.join(annDir, f), 'garbage');
      reopened = await open('offloaded', 0);
      expect(String(reopened.buildError)).toMatch(/is corrupt/);
      expect(reopened.annStats('w')[0]).toMatchObject({ indexed: 0, inMemory: 99 });
      expect(await exactAnswers(reopened)).toEqual(expected);

      // A rebuild of an offloaded vector reads its rows from SQLite; afterwards nothing is held.
      await reopened.upsert('w', points(5_100, 8_000));
      await reopened.buildIndexes('w');
      expect(reopened.annStats('w')[0]).toMatchObject({ indexed: 7998, tail: 0, inMemory: 0 });
      const q = vecs[7500]!;
      const exact = await reopened.search('w', { using: 'v', vector: q, limit: 10, exact: true });
      const ann = await reopened.search('w', { using: 'v', vector: q, limit: 10 });
      expect(ann.map((p) => p.id)).toEqual(exact.map((p) => p.id));
      await reopened.close();

      // Another process's delete is seen: the row is neither scored from disk nor returned.
      const other = await open('offloaded', 0);
      reopened = await open('offloaded', 0);
      await other.delete('w', ['w7500']);
      const after = await reopened.search('w', { using: 'v', vector: q, limit: 10, exact: true });
      expect(exact[0]!.id).toBe('w7500');
      expect(after.slice(0, 9).map((p) => p.id)).toEqual(exact.slice(1).map((p) => p.id));
      expect(await reopened.get('w', ['w7500'], { withVectors: true })).toEqual([]);
      await Promise.all([other.close(), reopened.close(), resident.close()]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('EmbeddedStore ANN index files', () => {
  it('reloads a saved index on open instead of rebuilding, and answers as before', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'visem-ann-'));
    // One build thread: a multi-threaded HNSW build is not deterministic, and the rebuilt graph must
    // answer exactly as the first one did.
    const open = () => EmbeddedStore.open({ dir, annMinPoints: ANN_MIN, annBuildThreads: 1 });
    try {
      let store = await open();
      await store.ensureCollection({ name: 'w', vectors: { v: { size: 24 } } });
      const vecs = clusteredVectors(rng(3), 5_000, 24, 20);
      await store.upsert(
        'w',
        vecs.map((v, i) => ({ id: `w${i}`, vectors: { v }, payload: {} })),
      );
      await store.buildIndexes('w');
      await store.delete('w', ['w1', 'w2']); // tombstones in the saved index
      const before = await store.search('w', { using: 'v', vector: vecs[1]!, limit: 10 });
      await store.close();
      const files = fs.readdirSync(path.join(dir, 'ann'));
      expect(files).toEqual(['ann-c1-v0-r5000-n5000-i8-m16-a128.usearch']);

      store = await open();
      expect(store.annStats('w')).toEqual([
        { vector: 'v', indexed: 5000, tail: 0, building: false, inMemory: 4998 },
      ]);
      const after = await store.search('w', { using: 'v', vector: vecs[1]!, limit: 10 });
      expect(after.map((p) => p.id)).toEqual(before.map((p) => p.id));
      expect(after.map((p) => p.id)).not.toContain('w1');
      await store.close();

      // A corrupt index file is dropped and rebuilt, never trusted. usearch 2.25 crashes the process on
      // a matrix header larger than the file and closes fd 0 on an empty one: neither may reach it.
      const saved = fs.readFileSync(path.join(dir, 'ann', files[0]!));
      const corruptions: [string, Buffer][] = [
        ['garbage', Buffer.from('garbage')],
        ['empty', Buffer.alloc(0)],
        ['huge matrix header', Buffer.alloc(4096, 7)],
        ['truncated', saved.subarray(0, saved.length - 1000)],
        ['no graph nodes', saved.subarray(0, 8 + 5000 * 24 + 64 + 40)], // i8: a byte per component
      ];
      for (const [what, bytes] of corruptions) {
        const annDir = path.join(dir, 'ann');
        for (const f of fs.readdirSync(annDir)) fs.rmSync(path.join(annDir, f));
        fs.writeFileSync(path.join(annDir, files[0]!), bytes);
        store = await open();
        expect(String(store.buildError), what).toMatch(/is corrupt/);
        expect(fs.existsSync(path.join(annDir, files[0]!)), what).toBe(false);
        await store.buildIndexes('w');
        expect(store.annStats('w')[0]!.indexed, what).toBe(4998);
        expect(
          (await store.search('w', { using: 'v', vector: vecs[1]!, limit: 10 })).map((p) => p.id),
        ).toEqual(before.map((p) => p.id));
        await store.close();
      }
      const fd = fs.openSync(path.join(dir, 'ann'), 'r');
      fs.closeSync(fd);
      expect(fd).toBeGreaterThan(2); // stdin, stdout and stderr are still open
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('EmbeddedStore ANN graph builds', () => {
  it("serves a graph built otherwise (an older version's f32, another efConstruction) until its replacement is built", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'visem-ann-q-'));
    try {
      const vecs = clusteredVectors(rng(4), 5_000, 24, 20);
      let store = await EmbeddedStore.open({
        dir,
        annMinPoints: ANN_MIN,
        annParams: { quantization: 'f32' },
      });
      await store.ensureCollection({ name: 'w', vectors: { v: { size: 24 } } });
      await store.upsert(
        'w',
        vecs.map((v, i) => ({ id: `w${i}`, vectors: { v }, payload: {} })),
      );
      await store.buildIndexes('w');
      const exact = await store.search('w', { using: 'v', vector: vecs[7]!, limit: 10, exact: true });
      await store.close();
      // Versions before quantization was configurable named their (f32) files without a suffix.
      const annDir = path.join(dir, 'ann');
      fs.renameSync(
        path.join(annDir, 'ann-c1-v0-r5000-n5000-f32-m16-a128.usearch'),
        path.join(annDir, 'ann-c1-v0-r5000-n5000.usearch'),
      );

      store = await EmbeddedStore.open({ dir, annMinPoints: ANN_MIN, backgroundIndexBuilds: false });
      expect(store.buildError).toBeUndefined();
      expect(store.annStats('w')[0]).toMatchObject({ indexed: 5000, tail: 0 });
      const old = await store.search('w', { using: 'v', vector: vecs[7]!, limit: 10 });
      expect(old).toEqual(exact);
      await store.buildIndexes('w'); // the default is i8: due although nothing changed
      expect(fs.readdirSync(annDir)).toEqual(['ann-c1-v0-r5000-n5000-i8-m16-a128.usearch']);
      // Candidates from the i8 graph are re-scored in f32: the same ids and the same scores.
      expect(await store.search('w', { using: 'v', vector: vecs[7]!, limit: 10 })).toEqual(exact);
      await store.close();

      // Another efConstruction for this collection: the graph built with the old one serves until its
      // replacement is built.
      const options = {
        dir,
        annMinPoints: ANN_MIN,
        backgroundIndexBuilds: false,
        annParamsByCollection: { w: { expansionAdd: 200 } },
      };
      store = await EmbeddedStore.open(options);
      expect(store.annStats('w')[0]).toMatchObject({ indexed: 5000, tail: 0 });
      expect(await store.search('w', { using: 'v', vector: vecs[7]!, limit: 10 })).toEqual(exact);
      await store.buildIndexes('w');
      expect(fs.readdirSync(annDir)).toEqual(['ann-c1-v0-r5000-n5000-i8-m16-a200.usearch']);
      expect(await store.search('w', { using: 'v', vector: vecs[7]!, limit: 10 })).toEqual(exact);
      await store.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('EmbeddedStore selective filters', () => {
  it('finds the exact top-k of a rare subset, by exact subset scan or by a wider ANN over-fetch', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'visem-filter-'));
    try {
      // exactFilterBudget 0 forces the ANN path even for a tiny subset.
      for (const budget of [undefined, 0]) {
        const store = await EmbeddedStore.open({
          dir: path.join(dir, String(budget)),
          annMinPoints: ANN_MIN,
          ...(budget === undefined ? {} : { exactFilterBudget: budget }),
        });
        await store.ensureCollection({ name: 'w', vectors: { v: { size: 24 } } });
        const vecs = clusteredVectors(rng(5), 8_000, 24, 40);
        // 3 % of the points are labels, as in the vocabulary (10.7k of 341k words).
        const isLabel = (i: number) => i % 33 === 0;
        await store.upsert(
          'w',
          vecs.map((v, i) => ({ id: `w${i}`, vectors: { v }, payload: { label: isLabel(i) } })),
        );
        await store.buildIndexes('w');
        const filter = { must: [{ key: 'label', match: true }] };
        let found = 0;
        for (const q of vecs.slice(0, 40)) {
          const exact = await store.search('w', { using: 'v', vector: q, limit: 10, filter, exact: true });
          const got = await store.search('w', { using: 'v', vector: q, limit: 10, filter });
          expect(got).toHaveLength(10);
          expect(got.every((p) => isLabel(Number(p.id.slice(1))))).toBe(true);
          found += got.filter((p) => exact.some((e) => e.id === p.id)).length;
        }
        // The exact subset scan is perfect; the ANN path must stay close.
        expect(found / 400).toBeGreaterThanOrEqual(budget === undefined ? 1 : 0.95);
        expect(await store.count('w', filter)).toBe(vecs.filter((_, i) => isLabel(i)).length);

        // The cached subset follows writes: a new label is found, a point that stopped being one is not.
        const q = vecs[0]!;
        const top = await store.search('w', { using: 'v', vector: q, limit: 1, filter });
        await store.upsert('w', [
          { id: 'new', vectors: { v: q }, payload: { label: true } },
          { id: top[0]!.id, vectors: { v: vecs[Number(top[0]!.id.slice(1))]! }, payload: { label: false } },
        ]);
        const next = await store.search('w', { using: 'v', vector: q, limit: 3, filter });
        expect(next[0]!.id).toBe('new');
        expect(next.map((p) => p.id)).not.toContain(top[0]!.id);
        await store.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
