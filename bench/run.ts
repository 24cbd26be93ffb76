/**
 * `npm run bench [-- --quick] [-- --provider cpu|cuda]`: throughput, latency, recall, start time and memory,
 * each next to the reference or bound it is judged against. Prints a table, writes bench-results.json.
 * Not a test: nothing here asserts; it measures and reports. See bench/README.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServices } from '../src/bootstrap.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { encoderManifestSchema, readManifest } from '../src/models/manifest.js';
import { ensureModelsBuilt, ensurePipelineBuilt } from '../src/services/models.service.js';
import { IMAGES, VOCABULARY, type ImagePayload } from '../src/services/collections.js';
import { VocabularyService } from '../src/services/vocabulary.service.js';
import { mulberry32 } from '../src/training/random.js';
import { defaultGlovePath } from '../src/training/word-space.js';
import { openGloveJson } from '../src/words/glove-json.reader.js';
import { EmbeddedStore } from '../src/store/embedded.store.js';
import type { Point } from '../src/store/vector-store.js';
import {
  figureTable,
  fmt,
  log,
  machine,
  median,
  now,
  percentile,
  pool,
  stampFiles,
  table,
  type Figure,
} from './lib.js';
import { benchEncoder, benchHead, type ModelRow } from './model.js';
import { benchStages } from './stages.js';
import { classify, rssMb, searchImages, startServe, stopServe, type Served } from './server.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const providerArg = args[args.indexOf('--provider') + 1];
const provider: 'cpu' | 'cuda' = args.includes('--provider') && providerArg === 'cuda' ? 'cuda' : 'cpu';
const keep = args.includes('--keep');
const outFile = path.resolve('bench-results.json');

/** Everything sized by mode; full mode must stay under 15 minutes on 2 cores, quick under 3. */
const M = quick
  ? {
      batches: [1, 4],
      modelBudgetMs: 2500,
      ingestN: 24,
      stagesN: 12,
      classifyN: 8,
      classifyConcN: 12,
      sizes: [1_000, 10_000],
      searchN: 100,
      loadS: 2,
      vocabQ: 100,
      efSweep: [] as number[],
    }
  : {
      batches: [1, 2, 4, 8],
      modelBudgetMs: 6000,
      ingestN: 96,
      stagesN: 40,
      classifyN: 24,
      classifyConcN: 32,
      sizes: [1_000, 10_000, 100_000],
      searchN: 300,
      loadS: 5,
      vocabQ: 200,
      efSweep: [256, 512, 768, 1024],
    };
const LOAD_LEVELS = [1, 4, 16, 64];
const QUERIES = [
  'dog',
  'cat',
  'horse',
  'car',
  'tree',
  'flower',
  'boat',
  'house',
  'bird',
  'fish',
  'apple',
  'chair',
  'guitar',
  'mountain',
  'river',
  'train',
  'bicycle',
  'bread',
  'shoe',
  'hat',
  'elephant',
  'zebra',
  'giraffe',
  'pig',
  'cow',
  'airplane',
  'computer',
  'phone',
  'book',
  'cake',
  'ship',
  'castle',
  'snow',
  'beach',
  'lion',
  'tiger',
  'bear',
  'rabbit',
  'camera',
  'piano',
];

const figures: Figure[] = [];
const tables: Record<string, unknown> = {};
const fig = (f: Figure) => {
  figures.push({ provider, ...f });
  log(`${f.metric} = ${fmt(f.value)} ${f.unit}`);
};

const baseEnv: Record<string, string> = {
  ORT_PROVIDER: provider,
  LOG_LEVEL: 'warn',
  NODE_ENV: 'production',
  ...(process.env.HEAD ? { HEAD: process.env.HEAD } : {}),
};
const config0 = loadConfig({ ...process.env, ...baseEnv });
if (!fs.existsSync(path.join(config0.headDir, 'manifest.json'))) {
  throw new Error(`no projection head at ${config0.headDir}: train one (visem train) or set HEAD=<dir>`);
}
const headName = (
  JSON.parse(fs.readFileSync(path.join(config0.headDir, 'manifest.json'), 'utf8')) as { name: string }
).name;
const started = now();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'visem-bench-'));
const dataDir = path.join(work, 'data');
const env = { ...baseEnv, DATA_DIR: dataDir };
log(`mode ${quick ? 'quick' : 'full'}, provider ${provider}, head ${headName}, data ${dataDir}`);
log(`machine ${JSON.stringify(machine())}`);

let server: Served | undefined;
try {
  // 1. Bare encoder session: batch × intra-op threads. Models are prepared as `npm start` would.
  await ensureModelsBuilt(config0, createLogger('warn'));
  const manifest = await readManifest(config0.encoderDir, encoderManifestSchema);
  const modelRows: ModelRow[] = await benchEncoder(config0.encoderDir, provider, {
    threads: provider === 'cuda' ? [1] : [1, 2],
    batches: M.batches,
    budgetMs: M.modelBudgetMs,
  });
  tables.encoder = modelRows;
  const best = modelRows.reduce((a, b) => (b.imagesPerS > a.imagesPerS ? b : a));
  const batch1 = modelRows
    .filter((r) => r.batch === 1 && r.parallel === 1)
    .reduce((a, b) => (b.p50Ms < a.p50Ms ? b : a));
  fig({
    metric: 'model_images_per_s',
    value: best.imagesPerS,
    unit: 'img/s',
    referenceLabel: `best: ${best.threads} thr, batch ${best.batch}${best.parallel > 1 ? ` ×${best.parallel}` : ''}, ${best.provider}`,
  });
  fig({
    metric: 'model_p50_ms',
    value: batch1.p50Ms,
    unit: 'ms',
    referenceLabel: `batch 1, ${batch1.threads} thr`,
  });

  // The previous default (nsfwjs InceptionV3 cut at mixed6), same settings, for comparison.
  if (config0.fallbackModels.encoderDir !== config0.encoderDir) {
    const dir = config0.fallbackModels.encoderDir;
    await ensurePipelineBuilt(config0.fallbackModels, config0, createLogger('warn'));
    const fallback = await readManifest(dir, encoderManifestSchema);
    const rows = await benchEncoder(dir, provider, {
      threads: [batch1.threads],
      batches: [1],
      budgetMs: M.modelBudgetMs / 4,
    });
    fig({
      metric: 'fallback_model_p50_ms',
      value: rows[0]!.p50Ms,
      unit: 'ms',
      referenceLabel: `${fallback.name}, batch 1, ${batch1.threads} thr`,
    });
  }

  // The head alone: what it adds per image on top of the encoder (1 thread).
  const headRows = await benchHead(config0.headDir, provider, M.modelBudgetMs / 4);
  tables.head = headRows;
  fig({
    metric: 'head_p50_ms',
    value: headRows[0]!.p50Ms,
    unit: 'ms',
    referenceLabel: `batch 1, 1 thr; batch 8: ${fmt(headRows[1]!.p50Ms)} ms`,
  });

  // 2. Cold start (fresh DATA_DIR: models check + full vocabulary import), then warm start.
  const template = path.resolve('.cache', 'bench', 'vocab-template');
  if (quick && fs.existsSync(template)) {
    log('quick: cold start skipped, data dir copied from .cache/bench/vocab-template');
    fs.cpSync(template, dataDir, { recursive: true });
  } else {
    log('cold start (vocabulary import) ...');
    server = await startServe(env, 600);
    fig({
      metric: 'cold_start_s',
      value: server.startS,
      unit: 's',
      reference: 60,
      referenceLabel: 'bound',
      goal: '≤ 60 s',
      pass: server.startS <= 60,
    });
    await stopServe(server);
    // The vocabulary's ANN index builds in the background after the import (exact search until then):
    // build it here, timed, so the warm starts below load the saved index as a long-running server would.
    const s = await EmbeddedStore.open({ dir: path.join(dataDir, 'store') });
    const tb = now();
    await s.buildIndexes(VOCABULARY);
    const buildS = (now() - tb) / 1000;
    await s.close();
    fig({
      metric: 'vocab_index_build_s',
      value: buildS,
      unit: 's',
      note: 'after cold start, in the background; vocabulary search is exact (slow) until it is done',
    });
    fs.rmSync(template, { recursive: true, force: true });
    fs.cpSync(dataDir, template, { recursive: true });
  }
  server = await startServe(env, 120);
  fig({
    metric: 'warm_start_s',
    value: server.startS,
    unit: 's',
    reference: 5,
    referenceLabel: 'bound (vocabulary, no images)',
    goal: '≤ 5 s',
    pass: server.startS <= 5,
  });

  // 3. classify over HTTP: one client, then 4 at once; distinct real PNGs, so nothing is cached.
  const stamps = stampFiles(M.ingestN + M.classifyN + M.classifyConcN + 2);
  const bytesOf = (f: string) => new Uint8Array(fs.readFileSync(f));
  await classify(server.url, bytesOf(stamps.at(-1)!), 'warm.png');
  const single: number[] = [];
  for (const f of stamps.slice(M.ingestN, M.ingestN + M.classifyN)) {
    const b = bytesOf(f);
    const t = now();
    await classify(server.url, b, path.basename(f));
    single.push(now() - t);
  }
  const conc: number[] = [];
  const tc = now();
  await pool(
    stamps.slice(M.ingestN + M.classifyN, M.ingestN + M.classifyN + M.classifyConcN),
    4,
    async (f) => {
      const b = bytesOf(f);
      const t = now();
      await classify(server!.url, b, path.basename(f));
      conc.push(now() - t);
    },
  );
  const concRate = (conc.length * 1000) / (now() - tc);
  const cp50 = median(single);
  fig({
    metric: 'classify_p50_ms',
    value: cp50,
    unit: 'ms',
    reference: batch1.p50Ms + 10,
    referenceLabel: 'model p50 + 10',
    goal: '≤ model p50 + 10 ms',
    pass: cp50 <= batch1.p50Ms + 10,
  });
  fig({
    metric: 'classify_p99_ms',
    value: percentile(single, 99),
    unit: 'ms',
    note: `1 client, n=${single.length}`,
  });
  fig({ metric: 'classify_4clients_p50_ms', value: median(conc), unit: 'ms', note: `n=${conc.length}` });
  fig({
    metric: 'classify_4clients_images_per_s',
    value: concRate,
    unit: 'img/s',
    reference: best.imagesPerS,
    referenceLabel: 'model',
  });
  tables.classify = { single, concurrent: conc, concurrentImagesPerS: concRate };
  await stopServe(server);
  server = undefined;

  // 4. Ingest pipeline in process: read file → decode/resize → encoder → head → tags → files + store.
  {
    const services = await createServices(loadConfig({ ...process.env, ...env }), createLogger('silent'));
    try {
      const files = stamps.slice(0, M.ingestN);
      await services.ingest.ingest(bytesOf(stamps.at(-2)!), { filename: 'warm.png', source: 'bench' });
      const t = now();
      await pool(files, 8, async (f) => {
        await services.ingest.ingest(new Uint8Array(await fs.promises.readFile(f)), {
          filename: path.basename(f),
          source: 'bench',
        });
      });
      const rate = (files.length * 1000) / (now() - t);
      fig({
        metric: 'ingest_images_per_s',
        value: rate,
        unit: 'img/s',
        reference: best.imagesPerS,
        referenceLabel: 'model',
        goal: '≥ 0.8 × model',
        pass: rate >= 0.8 * best.imagesPerS,
        note: `${files.length} stamp PNGs, 8 in flight`,
      });
    } finally {
      await services.close();
    }
  }

  // 4b. Where an ingested image's time goes, stage by stage (one at a time, the product's components).
  const stageRows = await benchStages(loadConfig({ ...process.env, ...env }), stamps.slice(0, M.stagesN));
  tables.stages = stageRows;
  log(`stages: ${stageRows.map((r) => `${r.stage} ${fmt(r.p50Ms)} ms`).join(', ')}`);

  // 5. Vocabulary search (all words, in process): ANN vs exact, and the ef sweep (full mode).
  let store = await EmbeddedStore.open({ dir: path.join(dataDir, 'store') });
  const vocabCount = (await store.collectionInfo(VOCABULARY))!.count;
  // Query words: uniformly over the whole vocabulary (mostly rare words, the hard case), and from the
  // 10k most frequent words (what people type). Each is the word's vector plus small noise.
  const byFrequency: string[] = [];
  for await (const entry of await openGloveJson(defaultGlovePath())) byFrequency.push(entry.word);
  const rq = mulberry32(9);
  const querySet = async (pool: number): Promise<Float32Array[]> => {
    const words = Array.from({ length: M.vocabQ }, () => byFrequency[Math.floor(rq() * pool)]!);
    const points = await store.get(VOCABULARY, words, { withVectors: true });
    return points.map((p) => {
      const v = Float32Array.from(p.vectors!.semantic!);
      for (let i = 0; i < v.length; i++) v[i]! += (rq() - 0.5) * 0.05;
      return v;
    });
  };
  const truthOf = async (queries: Float32Array[]) => {
    const truth: Set<string>[] = [];
    for (const q of queries)
      truth.push(
        new Set(
          (await store.search(VOCABULARY, { using: 'semantic', vector: q, limit: 10, exact: true })).map(
            (p) => p.id,
          ),
        ),
      );
    return truth;
  };
  // Synthetic images below get the vectors of frequent words (plus noise), like real tags.
  const wordVecs = (await store.get(VOCABULARY, byFrequency.slice(0, 20_000), { withVectors: true })).map(
    (p) => p.vectors!.semantic!,
  );
  const uniform = await querySet(Math.min(byFrequency.length, vocabCount));
  const frequent = await querySet(10_000);
  const uniformTruth = await truthOf(uniform);
  const frequentTruth = await truthOf(frequent);
  const vocabRun = async (s: EmbeddedStore, vocabQueries = uniform, vocabTruth = uniformTruth) => {
    for (const q of vocabQueries.slice(0, 10))
      await s.search(VOCABULARY, { using: 'semantic', vector: q, limit: 10 });
    const ms: number[] = [];
    let found = 0;
    for (const [i, q] of vocabQueries.entries()) {
      const t = now();
      const hits = await s.search(VOCABULARY, { using: 'semantic', vector: q, limit: 10 });
      ms.push(now() - t);
      found += hits.filter((h) => vocabTruth[i]!.has(h.id)).length;
    }
    return {
      p50: median(ms),
      p99: percentile(ms, 99),
      recall: found / (vocabQueries.length * 10),
      ann: s.annStats(VOCABULARY),
    };
  };
  const vocab = await vocabRun(store);
  fig({
    metric: 'vocab_p50_ms',
    value: vocab.p50,
    unit: 'ms',
    reference: 1,
    referenceLabel: 'bound',
    goal: '≤ 1 ms',
    pass: vocab.p50 <= 1,
    note: `${vocabCount} words, query words drawn uniformly from all of them, default ANN params`,
  });
  fig({
    metric: 'vocab_recall_at_10',
    value: vocab.recall,
    unit: '',
    reference: 0.98,
    referenceLabel: 'bound',
    goal: '≥ 0.98',
    pass: vocab.recall >= 0.98,
  });
  const frequentRun = await vocabRun(store, frequent, frequentTruth);
  fig({
    metric: 'vocab_frequent_p50_ms',
    value: frequentRun.p50,
    unit: 'ms',
    reference: 1,
    referenceLabel: 'bound',
    goal: 'info',
    note: 'query words from the 10k most frequent',
  });
  fig({
    metric: 'vocab_frequent_recall_at_10',
    value: frequentRun.recall,
    unit: '',
    reference: 0.98,
    referenceLabel: 'bound',
    goal: 'info',
  });
  const efRows: unknown[] = [
    { ef: 'default', ...vocab, frequentP50: frequentRun.p50, frequentRecall: frequentRun.recall },
  ];
  for (const ef of M.efSweep) {
    await store.close();
    store = await EmbeddedStore.open({
      dir: path.join(dataDir, 'store'),
      annParams: { expansionSearch: ef },
    });
    const r = await vocabRun(store);
    const f = await vocabRun(store, frequent, frequentTruth);
    efRows.push({ ef, ...r, frequentP50: f.p50, frequentRecall: f.recall });
    log(
      `vocab ef ${ef}: p50 ${r.p50.toFixed(3)} ms, recall ${r.recall.toFixed(4)}; frequent words p50 ${f.p50.toFixed(3)} ms, recall ${f.recall.toFixed(4)}`,
    );
  }
  tables.vocabulary = efRows;
  if (M.efSweep.length) {
    await store.close();
    store = await EmbeddedStore.open({ dir: path.join(dataDir, 'store') });
  }

  // 6. searchImages over HTTP vs collection size (synthetic points), recall vs exact, load levels, RSS.
  const vocabSvc = new VocabularyService(store, { maxTextLength: 200 });
  const qvecs = new Map<string, Float32Array>();
  for (const q of QUERIES) qvecs.set(q, (await vocabSvc.textQuery(q)).vector);
  const rs = mulberry32(7);
  const visualDim = manifest.output.dimension;
  const scaling: Record<string, unknown>[] = [];
  let lastLoad: { clients: number; rps: number; p50: number; p99: number }[] = [];
  for (const size of M.sizes) {
    const have = (await store.collectionInfo(IMAGES))!.count;
    const ti = now();
    for (let i = have; i < size; i += 1000) {
      const batch: Point[] = [];
      for (let k = i; k < Math.min(size, i + 1000); k++) {
        const semantic = Float32Array.from(wordVecs[Math.floor(rs() * wordVecs.length)]!);
        for (let d = 0; d < semantic.length; d++) semantic[d]! += (rs() - 0.5) * 0.2;
        const visual = new Float32Array(visualDim);
        for (let d = 0; d < visualDim; d++) visual[d] = rs() - 0.5;
        const payload: ImagePayload = {
          filename: `synthetic-${k}.png`,
          contentType: 'image/png',
          format: 'png',
          width: 256,
          height: 256,
          bytes: 1,
          createdAt: Date.now(),
          source: 'synthetic',
          tags: [],
        };
        batch.push({
          id: `synthetic-${String(k).padStart(7, '0')}`,
          vectors: { semantic, visual },
          payload: payload as never,
        });
      }
      await store.upsert(IMAGES, batch);
    }
    const insertS = (now() - ti) / 1000;
    const tb = now();
    await store.buildIndexes(IMAGES);
    const buildS = (now() - tb) / 1000;
    const truth = new Map<string, string[]>();
    for (const q of QUERIES)
      truth.set(
        q,
        (
          await store.search(IMAGES, { using: 'semantic', vector: qvecs.get(q)!, limit: 10, exact: true })
        ).map((p) => p.id),
      );
    const inproc: number[] = [];
    for (let i = 0; i < M.searchN; i++) {
      const t = now();
      await store.search(IMAGES, {
        using: 'semantic',
        vector: qvecs.get(QUERIES[i % QUERIES.length]!)!,
        limit: 11,
      });
      inproc.push(now() - t);
    }
    const ann = store.annStats(IMAGES);
    await store.close();
    log(`images ${size}: insert ${insertS.toFixed(1)} s, index build ${buildS.toFixed(1)} s`);

    server = await startServe(env, 300);
    const warm = server.startS;
    for (const q of QUERIES) await searchImages(server.url, q);
    let found = 0;
    for (const q of QUERIES) {
      const want = new Set(truth.get(q));
      found += (await searchImages(server.url, q)).filter((id) => want.has(id)).length;
    }
    const recall = found / (QUERIES.length * 10);
    const ms: number[] = [];
    for (let i = 0; i < M.searchN; i++) {
      const t = now();
      await searchImages(server.url, QUERIES[i % QUERIES.length]!);
      ms.push(now() - t);
    }
    const row = {
      size,
      synthetic: size - have,
      warmStartS: warm,
      insertS,
      indexBuildS: buildS,
      p50Ms: median(ms),
      p99Ms: percentile(ms, 99),
      storeP50Ms: median(inproc),
      recallAt10: recall,
      ann,
    };
    scaling.push(row);
    log(
      `images ${size}: HTTP p50 ${row.p50Ms.toFixed(2)} ms p99 ${row.p99Ms.toFixed(2)} ms recall ${recall.toFixed(3)}`,
    );
    if (size === M.sizes.at(-1)) {
      lastLoad = [];
      for (const clients of LOAD_LEVELS) {
        const lat: number[] = [];
        const end = now() + M.loadS * 1000;
        const t0 = now();
        await Promise.all(
          Array.from({ length: clients }, async (_, c) => {
            for (let i = c; now() < end; i += clients) {
              const t = now();
              await searchImages(server!.url, QUERIES[i % QUERIES.length]!);
              lat.push(now() - t);
            }
          }),
        );
        lastLoad.push({
          clients,
          rps: (lat.length * 1000) / (now() - t0),
          p50: median(lat),
          p99: percentile(lat, 99),
        });
        log(`load ${clients} clients: ${lastLoad.at(-1)!.rps.toFixed(0)} req/s`);
      }
      const rss = rssMb(server.child.pid!);
      fig({
        metric: 'search_p50_ms',
        value: row.p50Ms,
        unit: 'ms',
        reference: 5,
        referenceLabel: 'bound',
        goal: '≤ 5 ms',
        pass: row.p50Ms <= 5,
        note: `HTTP, ${size} images (${size - have} synthetic)`,
      });
      fig({ metric: 'search_p99_ms', value: row.p99Ms, unit: 'ms', note: `HTTP, ${size} images` });
      fig({
        metric: 'search_recall_at_10',
        value: recall,
        unit: '',
        reference: 0.99,
        referenceLabel: 'bound',
        goal: '≥ 0.99',
        pass: recall >= 0.99,
        note: `${size} images, vs exact`,
      });
      const peak = lastLoad.reduce((a, b) => (b.rps > a.rps ? b : a));
      const sat = lastLoad.find((l, i) => i > 0 && l.rps < lastLoad[i - 1]!.rps * 1.1) ?? peak;
      fig({
        metric: 'search_rps_max',
        value: peak.rps,
        unit: 'req/s',
        referenceLabel: `at ${peak.clients} clients; saturates by ${sat.clients}`,
      });
      fig({
        metric: 'rss_mb',
        value: rss.peak,
        unit: 'MB',
        reference: 1536,
        referenceLabel: 'bound',
        goal: '≤ 1.5 GB',
        pass: rss.peak <= 1536,
        note: `server peak RSS, vocabulary + ${size} images`,
      });
    }
    await stopServe(server);
    server = undefined;
    store = await EmbeddedStore.open({ dir: path.join(dataDir, 'store') });
  }
  await store.close();
  tables.search = scaling;
  tables.load = lastLoad;

  // Report.
  const seconds = (now() - started) / 1000;
  const results = {
    mode: quick ? 'quick' : 'full',
    provider,
    head: headName,
    device: provider === 'cpu' ? machine().cpu : 'cuda',
    machine: machine(),
    finishedAt: new Date().toISOString(),
    seconds,
    syntheticImages:
      'searchImages figures use synthetic points (the vector of one of the 20k most frequent words + noise as the semantic vector, a random visual vector) inserted straight into the store; ingest and classify use real Tux Paint stamp PNGs',
    figures,
    tables,
  };
  fs.writeFileSync(outFile, JSON.stringify(results, null, 2));
  const out = process.stdout;
  out.write(
    `\nvisem bench (${results.mode}, ${provider} on ${String(results.device)}, ${os.cpus().length} cores, load ${machine().loadavg as string}) in ${seconds.toFixed(0)} s\n\n`,
  );
  out.write(figureTable(figures) + '\n\n');
  out.write("encoder (the product's ImageEncoder.embed, random input):\n");
  out.write(
    table(
      ['threads', 'batch', 'parallel', 'p50 ms/run', 'p99 ms/run', 'img/s'],
      modelRows.map((r) => [r.threads, r.batch, r.parallel, fmt(r.p50Ms), fmt(r.p99Ms), fmt(r.imagesPerS)]),
    ) + '\n\n',
  );
  out.write('ingest, one image at a time, by stage (p50 over the stamps; first image left out):\n');
  out.write(
    table(
      ['stage', 'p50 ms'],
      stageRows.map((r) => [r.stage, fmt(r.p50Ms)]),
    ) + '\n\n',
  );
  out.write(
    'searchImages over HTTP vs collection size (synthetic points; ANN from 20k points, exact below):\n',
  );
  out.write(
    table(
      ['images', 'HTTP p50 ms', 'HTTP p99 ms', 'store p50 ms', 'recall@10', 'warm start s', 'index build s'],
      scaling.map((r) => [
        r.size as number,
        fmt(r.p50Ms as number),
        fmt(r.p99Ms as number),
        fmt(r.storeP50Ms as number),
        fmt(r.recallAt10 as number, 4),
        fmt(r.warmStartS as number),
        fmt(r.indexBuildS as number),
      ]),
    ) + '\n\n',
  );
  out.write(`searchImages under load (${M.sizes.at(-1)} images, ${M.loadS} s per level):\n`);
  out.write(
    table(
      ['clients', 'req/s', 'p50 ms', 'p99 ms'],
      lastLoad.map((l) => [l.clients, fmt(l.rps), fmt(l.p50), fmt(l.p99)]),
    ) + '\n\n',
  );
  out.write(
    'vocabulary search (in process) by ef; query words uniform over all words, and the 10k most frequent:\n',
  );
  out.write(
    table(
      ['ef', 'p50 ms', 'p99 ms', 'recall@10', 'frequent p50 ms', 'frequent recall@10'],
      (
        efRows as {
          ef: string;
          p50: number;
          p99: number;
          recall: number;
          frequentP50: number;
          frequentRecall: number;
        }[]
      ).map((r) => [
        r.ef,
        fmt(r.p50),
        fmt(r.p99),
        fmt(r.recall, 4),
        fmt(r.frequentP50),
        fmt(r.frequentRecall, 4),
      ]),
    ) + '\n\n',
  );
  out.write(`${results.syntheticImages}.\nwrote ${outFile}\n`);
} finally {
  if (server) await stopServe(server).catch(() => undefined);
  if (!keep) fs.rmSync(work, { recursive: true, force: true });
}
