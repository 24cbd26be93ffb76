/**
 * HNSW parameter sweep on the full GloVe vocabulary (341k × 100-d): build time, then p50 latency and
 * recall@10 vs exact per ef, for each connectivity M. Queries are word vectors plus small noise, as in
 * the benchmark. Each query asks for 42 candidates (limit 10 + the store's over-fetch of 32) and re-ranks
 * them exactly in f32, as the embedded store does, so quantised graphs are judged as the product uses them.
 * Run: node dist/scripts/ann-sweep.js '[16,32]' '[128,256,384,512]' [top-N pool] [f32|f16|i8] [efAdd]
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
const scalars = { f32: ScalarKind.F32, f16: ScalarKind.F16, i8: ScalarKind.I8 } as const;
const scalarName = (process.argv[5] ?? 'f32') as keyof typeof scalars;
const quantization = scalars[scalarName];
if (quantization === undefined)
  throw new Error(`quantization must be one of ${Object.keys(scalars).join(', ')}`);
const efAdd = Number(process.argv[6] ?? 128);
/** The embedded store asks the graph for limit + 32 candidates and re-scores them exactly. */
const CANDIDATES = 42;
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
    quantization,
    connectivity: m,
    expansion_add: efAdd,
    expansion_search: ef,
    multi: false,
  });
for (const m of ms) {
  const built = make(m, 64);
  let t = performance.now();
  built.add(keys, data, 2);
  process.stdout.write(
    `M ${m} ${scalarName} efAdd ${efAdd}: build ${((performance.now() - t) / 1000).toFixed(1)} s\n`,
  );
  const file = path.join(tmpdir(), `visem-ann-sweep-m${m}.usearch`);
  built.save(file);
  for (const ef of efs) {
    // ef is fixed at construction: view the saved graph with each setting.
    const index = make(m, ef);
    index.view(file);
    // The file is memory-mapped: the first pass faults its pages in (a server's first queries); the
    // second is the steady state of a server that has been answering for a while.
    const pass = () => {
      const lat: number[] = [];
      let found = 0;
      for (const [qi, q] of queries.entries()) {
        t = performance.now();
        const r = index.search(q, CANDIDATES, 1);
        const top = Array.from(r.keys, Number)
          .map((k) => ({ k, s: dot(q, data, k * dim) }))
          .sort((a, b) => b.s - a.s)
          .slice(0, 10);
        lat.push(performance.now() - t);
        for (const { k } of top) if (truth[qi]!.has(k)) found++;
      }
      lat.sort((a, b) => a - b);
      return { p50: lat[100]!, p99: lat[198]!, recall: found / 2000 };
    };
    const cold = pass();
    const warm = pass();
    process.stdout.write(
      `M ${m} ef ${ef}: p50 ${warm.p50.toFixed(3)} ms, p99 ${warm.p99.toFixed(3)} ms, recall@10 ${warm.recall.toFixed(4)} (first pass p50 ${cold.p50.toFixed(3)} ms)\n`,
    );
  }
  rmSync(file, { force: true });
}
