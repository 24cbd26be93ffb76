/**
 * Step 6: how cost grows with the image collection (synthetic points, see ../synthetic.ts). At each size:
 * store writes per image, index build time, disk size, warm start, `searchImages` over HTTP (p50, p99,
 * recall@10 vs exact) and the server's peak RSS; at 100k also requests/s under load. Goals: at 100k
 * p50 ≤ 5 ms, recall ≥ 0.99, RSS ≤ 1.5 GB; at 1M p50 ≤ 10 ms at recall ≥ 0.98, RSS ≤ 3 GB, warm start
 * ≤ 10 s, writes per image no slower than at 10k.
 */
import fs from 'node:fs';
import path from 'node:path';
import { embeddedStoreOptions } from '../../src/bootstrap.js';
import { IMAGES, VOCABULARY } from '../../src/services/collections.js';
import { VocabularyService } from '../../src/services/vocabulary.service.js';
import { EmbeddedStore } from '../../src/store/embedded.store.js';
import { mulberry32 } from '../../src/training/random.js';
import type { BenchContext } from '../context.js';
import { fmt, log, median, now, percentile } from '../lib.js';
import { rssMb, searchImages, startServe, stopServe, type Served } from '../server.js';
import { syntheticPoints } from '../synthetic.js';
import { QUERIES } from './queries.js';
import { reportGrowth, type GrowthRow, type LoadRow } from './growth-report.js';

const BATCH = 1000;
/** Points written after each size's index build, 200 a batch: the store's cost per image at that size. */
const PROBE = 1000;
const LOAD_LEVELS = [1, 4, 16, 64];

export async function benchGrowth(
  ctx: BenchContext,
  visualDim: number,
  byFrequency: string[],
): Promise<void> {
  const dir = path.join(ctx.dataDir, 'store');
  const { wordVecs, qvecs } = await queryVectors(ctx, byFrequency);
  const rnd = mulberry32(7);
  const dims: Record<string, number> = { semantic: wordVecs[0]!.length, visual: visualDim };
  const rowBytes = (dims.semantic! + visualDim) * 4;
  const rows: GrowthRow[] = [];
  let load: LoadRow[] = [];
  const loadAt = ctx.options.sizes.filter((s) => s <= 100_000).at(-1) ?? ctx.options.sizes[0]!;
  for (const size of ctx.options.sizes) {
    const store = await EmbeddedStore.open(embeddedStoreOptions(ctx.config, false));
    let row: Awaited<ReturnType<typeof grow>>;
    let truth: Map<string, Set<string>>;
    try {
      row = await grow(store, size, (from, to) => syntheticPoints(from, to, wordVecs, visualDim, rnd));
      truth = await exactTruth(store, qvecs);
    } finally {
      await store.close();
    }
    const server = await startServe(ctx.serveEnv, 600);
    try {
      const http = await searchOverHttp(server, truth, ctx.sizes.searchN);
      if (size === loadAt) load = await loadLevels(server, ctx.sizes.loadS);
      rows.push({
        ...row,
        warmStartS: server.startS,
        ...http,
        rssMb: rssMb(server.child.pid!).peak,
        diskMb: diskMb(dir),
        vectorMb: (size * rowBytes) / 2 ** 20,
        heldVectorMb: row.ann.reduce((mb, a) => mb + (a.inMemory * dims[a.vector]! * 4) / 2 ** 20, 0),
      });
    } finally {
      await stopServe(server);
    }
    const r = rows.at(-1)!;
    log(
      `images ${r.size}: write ${fmt(r.writeMsPerImage)} ms/img, build ${fmt(r.indexBuildS)} s, warm ${fmt(r.warmStartS)} s, ` +
        `p50 ${fmt(r.p50Ms)} ms, recall ${fmt(r.recallAt10, 4)}, RSS ${fmt(r.rssMb)} MB, disk ${fmt(r.diskMb)} MB`,
    );
  }
  reportGrowth(ctx.report, rows, load, loadAt);
}

/** Vectors of the 20k most frequent words (synthetic tags) and of the fixed query words. */
async function queryVectors(ctx: BenchContext, byFrequency: string[]) {
  const store = await EmbeddedStore.open(embeddedStoreOptions(ctx.config, false));
  try {
    const points = await store.get(VOCABULARY, byFrequency.slice(0, 20_000), { withVectors: true });
    const wordVecs = points.map((p) => p.vectors!.semantic!);
    const vocab = new VocabularyService(store, { maxTextLength: 200 });
    const qvecs = new Map<string, Float32Array>();
    for (const q of QUERIES) qvecs.set(q, (await vocab.textQuery(q)).vector);
    return { wordVecs, qvecs };
  } finally {
    await store.close();
  }
}

/** Fills the collection to `size` - PROBE, builds its indexes, then times the last PROBE writes. */
async function grow(
  store: EmbeddedStore,
  size: number,
  make: (from: number, to: number) => ReturnType<typeof syntheticPoints>,
) {
  const have = (await store.collectionInfo(IMAGES))!.count;
  const probe = Math.min(PROBE, size - have);
  for (let i = have; i < size - probe; i += BATCH)
    await store.upsert(IMAGES, make(i, Math.min(size - probe, i + BATCH)));
  const tb = now();
  await store.buildIndexes(IMAGES);
  const indexBuildS = (now() - tb) / 1000;
  // A failed build leaves exact scans behind it: the row would measure the wrong thing.
  if (store.buildError) throw new Error(`index build at ${size} images failed`, { cause: store.buildError });
  const batches: number[] = [];
  for (let i = size - probe; i < size; i += 200) {
    const points = make(i, Math.min(size, i + 200));
    const t = now();
    await store.upsert(IMAGES, points);
    batches.push((now() - t) / points.length);
  }
  return {
    size,
    synthetic: size - have,
    indexBuildS,
    writeMsPerImage: median(batches),
    ann: store.annStats(IMAGES),
  };
}

async function exactTruth(store: EmbeddedStore, qvecs: Map<string, Float32Array>) {
  const truth = new Map<string, Set<string>>();
  for (const [q, vector] of qvecs) {
    const hits = await store.search(IMAGES, { using: 'semantic', vector, limit: 10, exact: true });
    truth.set(q, new Set(hits.map((p) => p.id)));
  }
  return truth;
}

async function searchOverHttp(server: Served, truth: Map<string, Set<string>>, n: number) {
  for (const q of QUERIES) await searchImages(server.url, q);
  let found = 0;
  for (const q of QUERIES)
    found += (await searchImages(server.url, q)).filter((id) => truth.get(q)!.has(id)).length;
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = now();
    await searchImages(server.url, QUERIES[i % QUERIES.length]!);
    ms.push(now() - t);
  }
  return { p50Ms: median(ms), p99Ms: percentile(ms, 99), recallAt10: found / (QUERIES.length * 10) };
}

async function loadLevels(server: Served, seconds: number): Promise<LoadRow[]> {
  const rows: LoadRow[] = [];
  for (const clients of LOAD_LEVELS) {
    const lat: number[] = [];
    const end = now() + seconds * 1000;
    const t0 = now();
    await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        for (let i = c; now() < end; i += clients) {
          const t = now();
          await searchImages(server.url, QUERIES[i % QUERIES.length]!);
          lat.push(now() - t);
        }
      }),
    );
    rows.push({
      clients,
      rps: (lat.length * 1000) / (now() - t0),
      p50: median(lat),
      p99: percentile(lat, 99),
    });
    log(`load ${clients} clients: ${fmt(rows.at(-1)!.rps)} req/s`);
  }
  return rows;
}

function diskMb(dir: string): number {
  let bytes = 0;
  for (const name of fs.readdirSync(dir)) bytes += fs.statSync(path.join(dir, name)).size;
  return bytes / 2 ** 20;
}
