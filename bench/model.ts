/** The bare encoder ONNX session: the ceiling the ingest and classify paths are compared with. */
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { EncoderManifest, HeadManifest } from '../src/models/manifest.js';
import { mulberry32 } from '../src/training/random.js';
import { log, median, now, percentile } from './lib.js';

export interface ModelRow {
  threads: number;
  batch: number;
  /** Runs in flight at once (separate calls on one session). */
  parallel: number;
  p50Ms: number;
  p99Ms: number;
  imagesPerS: number;
  runs: number;
}

export async function benchEncoder(
  dir: string,
  manifest: EncoderManifest,
  provider: 'cpu' | 'cuda',
  opts: { threads: number[]; batches: number[]; budgetMs: number },
): Promise<ModelRow[]> {
  const { width, height, layout, name } = manifest.input;
  const rows: ModelRow[] = [];
  const r = mulberry32(1);
  const maxBatch = Math.max(...opts.batches);
  const data = Float32Array.from({ length: maxBatch * width * height * 3 }, () => r());
  const tensor = (b: number) =>
    new ort.Tensor(
      'float32',
      data.subarray(0, b * width * height * 3),
      layout === 'NHWC' ? [b, height, width, 3] : [b, 3, height, width],
    );
  // Both sessions stay loaded and the cells run interleaved, one run each per round, so a swing in the
  // machine's load (other processes) hits every cell alike instead of favouring whichever ran in a lull.
  const sessions = new Map<number, ort.InferenceSession>();
  for (const threads of opts.threads) {
    const session = await createSession(path.join(dir, manifest.file), threads, provider);
    await session.run({ [name]: tensor(1) }); // warm-up: the first run allocates
    sessions.set(threads, session);
  }
  const cells: { threads: number; batch: number; parallel: number; ms: number[] }[] = [];
  for (const threads of opts.threads) {
    for (const batch of opts.batches) cells.push({ threads, batch, parallel: 1, ms: [] });
    // Two batch-1 runs at once on one session (what INFERENCE_CONCURRENCY=2 does), 1 thread only.
    if (threads === 1) cells.push({ threads, batch: 1, parallel: 2, ms: [] });
  }
  const end = now() + opts.budgetMs * cells.length;
  for (let round = 0; round < 3 || now() < end; round++) {
    for (const c of cells) {
      const session = sessions.get(c.threads)!;
      const t = now();
      await Promise.all(Array.from({ length: c.parallel }, () => session.run({ [name]: tensor(c.batch) })));
      c.ms.push(now() - t);
    }
  }
  for (const c of cells) {
    const p50 = median(c.ms);
    const row = {
      threads: c.threads,
      batch: c.batch,
      parallel: c.parallel,
      p50Ms: p50,
      p99Ms: percentile(c.ms, 99),
      imagesPerS: (c.batch * c.parallel * 1000) / p50,
      runs: c.ms.length,
    };
    rows.push(row);
    log(
      `encoder threads ${c.threads} batch ${c.batch} ×${c.parallel}: ${p50.toFixed(1)} ms/run, ${row.imagesPerS.toFixed(2)} img/s`,
    );
  }
  for (const s of sessions.values()) await s.release();
  return rows;
}

/** The projection head alone (1 thread): what it adds to each image on top of the encoder. */
export async function benchHead(
  dir: string,
  manifest: HeadManifest,
  provider: 'cpu' | 'cuda',
  budgetMs: number,
): Promise<{ batch: number; p50Ms: number; runs: number }[]> {
  const session = await createSession(path.join(dir, manifest.file), 1, provider);
  const r = mulberry32(2);
  const dim = manifest.input.dimension;
  const out: { batch: number; p50Ms: number; runs: number }[] = [];
  for (const batch of [1, 8]) {
    const x = new ort.Tensor(
      'float32',
      Float32Array.from({ length: batch * dim }, () => r()),
      [batch, dim],
    );
    await session.run({ [manifest.input.name]: x }); // warm-up
    const ms: number[] = [];
    const end = now() + budgetMs;
    while (ms.length < 20 || now() < end) {
      const t = now();
      await session.run({ [manifest.input.name]: x });
      ms.push(now() - t);
    }
    const p50Ms = median(ms);
    out.push({ batch, p50Ms, runs: ms.length });
    log(`head batch ${batch}: ${p50Ms.toFixed(3)} ms/run`);
  }
  await session.release();
  return out;
}

function createSession(
  file: string,
  threads: number,
  provider: 'cpu' | 'cuda',
): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(file, {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    executionProviders: [provider],
  });
}
