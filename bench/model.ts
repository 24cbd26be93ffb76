/**
 * The bare encoder and head, loaded through the product's own classes and session factory (OnnxRuntime:
 * same session options, provider selection and output set), so "ingest / model" compares like with like.
 */
import { ImageEncoder } from '../src/models/image-encoder.js';
import { OnnxRuntime, type ProviderSetting } from '../src/models/onnx-runtime.js';
import { ProjectionHead } from '../src/models/projection-head.js';
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
  /** The provider the session actually ran on. */
  provider: string;
}

/** The encoder's `embed` (features + visual, the product's call) by intra-op threads × batch. */
export async function benchEncoder(
  dir: string,
  provider: ProviderSetting,
  opts: { threads: number[]; batches: number[]; budgetMs: number },
): Promise<ModelRow[]> {
  const rows: ModelRow[] = [];
  const r = mulberry32(1);
  // Both sessions stay loaded and the cells run interleaved, one run each per round, so a swing in the
  // machine's load (other processes) hits every cell alike instead of favouring whichever ran in a lull.
  const encoders = new Map<number, { encoder: ImageEncoder; runtime: OnnxRuntime }>();
  let images: Float32Array[] = [];
  for (const threads of opts.threads) {
    const runtime = new OnnxRuntime({ provider, intraOpThreads: threads });
    const encoder = await ImageEncoder.load(dir, runtime);
    const { width, height } = encoder.manifest.input;
    images = Array.from({ length: Math.max(...opts.batches) }, () =>
      Float32Array.from({ length: width * height * 3 }, () => r()),
    );
    await encoder.embed(images.slice(0, 1)); // warm-up: the first run allocates
    encoders.set(threads, { encoder, runtime });
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
      const { encoder } = encoders.get(c.threads)!;
      const batch = images.slice(0, c.batch);
      const t = now();
      await Promise.all(Array.from({ length: c.parallel }, () => encoder.embed(batch)));
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
      provider: encoders.get(c.threads)!.encoder.provider,
    };
    rows.push(row);
    log(
      `encoder threads ${c.threads} batch ${c.batch} ×${c.parallel}: ${p50.toFixed(1)} ms/run, ${row.imagesPerS.toFixed(2)} img/s`,
    );
  }
  for (const { runtime } of encoders.values()) await runtime.release();
  return rows;
}

/** The projection head alone (1 thread): what it adds to each image on top of the encoder. */
export async function benchHead(
  dir: string,
  provider: ProviderSetting,
  budgetMs: number,
): Promise<{ batch: number; p50Ms: number; runs: number }[]> {
  const runtime = new OnnxRuntime({ provider, intraOpThreads: 1 });
  const head = await ProjectionHead.load(dir, runtime);
  const r = mulberry32(2);
  const dim = head.manifest.input.dimension;
  const out: { batch: number; p50Ms: number; runs: number }[] = [];
  for (const batch of [1, 8]) {
    const x = Array.from({ length: batch }, () => Float32Array.from({ length: dim }, () => r()));
    await head.project(x); // warm-up
    const ms: number[] = [];
    const end = now() + budgetMs;
    while (ms.length < 20 || now() < end) {
      const t = now();
      await head.project(x);
      ms.push(now() - t);
    }
    const p50Ms = median(ms);
    out.push({ batch, p50Ms, runs: ms.length });
    log(`head batch ${batch}: ${p50Ms.toFixed(3)} ms/run`);
  }
  await runtime.release();
  return out;
}
