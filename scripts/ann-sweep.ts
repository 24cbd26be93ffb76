/**
 * HNSW parameter sweep on the full GloVe vocabulary (341k × 100-d): build time, then p50 latency and
 * recall@10 vs exact per ef, for each connectivity M. Queries are word vectors plus small noise, as in
 * the benchmark. Run: node dist/scripts/ann-sweep.js '[16,32]' '[128,256,384,512]' [top-N pool]
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Index, MetricKind, ScalarKind } from 'usearch';
import { defaultGlovePath } from '../src/training/word-space.js';
import { mulberry32 } from '../src/training/random.js';
import { dot, normalize } from '../src/vectors.js';
import { openGloveJson } from '../src/words/glove-json.reader.js';

const ms = JSON.parse(process.argv[2] ?? '[16,32]') as number[];
const efs = JSON.parse(process.argv[3] ?? '[128,256,384,512]') as number[];
/** Query words: the `pool` most frequent (default all words, uniformly). */
const pool = Number(process.argv[4] ?? 0);
const reader = await openGloveJson(defaultGlovePath());
const rows: Float32Array[] = [];
for await (const entry of reader) rows.push(entry.vector);
const dim = rows[0]!.length;
const n = rows.length;
const data = new Float32Array(n * dim);
rows.forEach((v, i) => data.set(normalize(v), i * dim));
const rnd = mulberry32(9);
const queries = Array.from({ length: 200 }, () => {
  const i = Math.floor(rnd() * (pool || n));
  const q = data.slice(i * dim, (i + 1) * dim);
  for (let k = 0; k < dim; k++) q[k] = q[k]! + (rnd() - 0.5) * 0.05;
  return q;
});
const truth = queries.map((q) => {
  const scores = Float32Array.from({ length: n }, (_, i) => dot(q, data, i * dim));
  return new Set(
    Array.from(scores.keys())
      .sort((a, b) => scores[b]! - scores[a]!)
      .slice(0, 10),
  );
});
const keys = BigUint64Array.from(rows.map((_, i) => BigInt(i)));
const make = (m: number, ef: number) =>
  new Index({
    dimensions: dim,
    metric: MetricKind.Cos,
    quantization: ScalarKind.F32,
    connectivity: m,
    expansion_add: 128,
    expansion_search: ef,
    multi: false,
  });
for (const m of ms) {
  const built = make(m, 64);
  let t = performance.now();
  built.add(keys, data, 2);
  process.stdout.write(`M ${m}: build ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
  const file = path.join(tmpdir(), `visem-ann-sweep-m${m}.usearch`);
  built.save(file);
  for (const ef of efs) {
    // ef is fixed at construction: view the saved graph with each setting.
    const index = make(m, ef);
    index.view(file);
    const lat: number[] = [];
    let found = 0;
    for (const [qi, q] of queries.entries()) {
      t = performance.now();
      const r = index.search(q, 10, 1);
      lat.push(performance.now() - t);
      for (const k of r.keys) if (truth[qi]!.has(Number(k))) found++;
    }
    lat.sort((a, b) => a - b);
    process.stdout.write(
      `M ${m} ef ${ef}: p50 ${lat[100]!.toFixed(3)} ms, p99 ${lat[198]!.toFixed(3)} ms, recall@10 ${(found / 2000).toFixed(4)}\n`,
    );
  }
  rmSync(file, { force: true });
}
