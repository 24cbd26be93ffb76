/** Step 1: the encoder's own ceiling (threads × batch), the previous default for comparison, the head. */
import { createLogger } from '../../src/log.js';
import { encoderManifestSchema, readManifest } from '../../src/models/manifest.js';
import { ensureModelsBuilt, ensurePipelineBuilt } from '../../src/services/models.service.js';
import type { BenchContext } from '../context.js';
import { fmt } from '../lib.js';
import { benchEncoder, benchHead, type ModelRow } from '../model.js';

/** The figures later steps are judged against. */
export interface EncoderReference {
  /** The best throughput of any setting. */
  best: ModelRow;
  /** The fastest batch-1 run: a single request's floor. */
  batch1: ModelRow;
  visualDim: number;
}

export async function benchModels(ctx: BenchContext): Promise<EncoderReference> {
  const { config, sizes, report, options } = ctx;
  // Models are prepared as `npm start` would.
  await ensureModelsBuilt(config, createLogger('warn'));
  const manifest = await readManifest(config.encoderDir, encoderManifestSchema);
  const rows = await benchEncoder(config.encoderDir, options.provider, {
    threads: options.provider === 'cuda' ? [1] : [1, 2],
    batches: sizes.batches,
    budgetMs: sizes.modelBudgetMs,
  });
  report.table('encoder', rows);
  report.section({
    title: "encoder (the product's ImageEncoder.embed, random input)",
    headers: ['threads', 'batch', 'parallel', 'p50 ms/run', 'p99 ms/run', 'img/s'],
    rows: rows.map((r) => [r.threads, r.batch, r.parallel, fmt(r.p50Ms), fmt(r.p99Ms), fmt(r.imagesPerS)]),
  });
  const best = rows.reduce((a, b) => (b.imagesPerS > a.imagesPerS ? b : a));
  const batch1 = rows
    .filter((r) => r.batch === 1 && r.parallel === 1)
    .reduce((a, b) => (b.p50Ms < a.p50Ms ? b : a));
  report.figure({
    metric: 'model_images_per_s',
    value: best.imagesPerS,
    unit: 'img/s',
    referenceLabel: `best: ${best.threads} thr, batch ${best.batch}${best.parallel > 1 ? ` ×${best.parallel}` : ''}, ${best.provider}`,
  });
  report.figure({
    metric: 'model_p50_ms',
    value: batch1.p50Ms,
    unit: 'ms',
    referenceLabel: `batch 1, ${batch1.threads} thr`,
  });
  await benchFallback(ctx, batch1.threads);
  await benchProjection(ctx);
  return { best, batch1, visualDim: manifest.output.dimension };
}

/** The previous default (nsfwjs InceptionV3 cut at mixed6), same settings. */
async function benchFallback(ctx: BenchContext, threads: number): Promise<void> {
  const { config, sizes, report, options } = ctx;
  const dir = config.fallbackModels.encoderDir;
  if (dir === config.encoderDir) return;
  await ensurePipelineBuilt(config.fallbackModels, config, createLogger('warn'));
  const fallback = await readManifest(dir, encoderManifestSchema);
  const rows = await benchEncoder(dir, options.provider, {
    threads: [threads],
    batches: [1],
    budgetMs: sizes.modelBudgetMs / 4,
  });
  report.figure({
    metric: 'fallback_model_p50_ms',
    value: rows[0]!.p50Ms,
    unit: 'ms',
    referenceLabel: `${fallback.name}, batch 1, ${threads} thr`,
  });
}

/** The head alone: what it adds per image on top of the encoder (1 thread). */
async function benchProjection(ctx: BenchContext): Promise<void> {
  const { config, sizes, report, options } = ctx;
  const rows = await benchHead(config.headDir, options.provider, sizes.modelBudgetMs / 4);
  report.table('head', rows);
  report.figure({
    metric: 'head_p50_ms',
    value: rows[0]!.p50Ms,
    unit: 'ms',
    referenceLabel: `batch 1, 1 thr; batch 8: ${fmt(rows[1]!.p50Ms)} ms`,
  });
}
