/**
 * Step 4: the ingest pipeline in process (read file → decode → encoder → head → tags → stored copies +
 * store), then where one image's time goes, stage by stage.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServices } from '../../src/bootstrap.js';
import { createLogger } from '../../src/log.js';
import { DEFAULT_INGEST_CONCURRENCY } from '../../src/services/file-ingest.service.js';
import type { BenchContext } from '../context.js';
import { fmt, log, now, pool } from '../lib.js';
import { benchStages, type StageRow } from '../stages.js';
import type { EncoderReference } from './models.js';

export async function benchIngest(ctx: BenchContext, ref: EncoderReference, stamps: string[]): Promise<void> {
  const { report, sizes, config } = ctx;
  const files = stamps.slice(0, sizes.ingestN);
  const services = await createServices(config, createLogger('silent'));
  let rate: number;
  try {
    const warm = new Uint8Array(fs.readFileSync(stamps.at(-2)!));
    await services.ingest.ingest(warm, { filename: 'warm.png', source: 'bench' });
    const t = now();
    await pool(files, DEFAULT_INGEST_CONCURRENCY, async (f) => {
      await services.ingest.ingest(new Uint8Array(await fs.promises.readFile(f)), {
        filename: path.basename(f),
        source: 'bench',
      });
    });
    rate = (files.length * 1000) / (now() - t);
  } finally {
    await services.close();
  }
  report.figure({
    metric: 'ingest_images_per_s',
    value: rate,
    unit: 'img/s',
    reference: ref.best.imagesPerS,
    referenceLabel: 'model',
    goal: '≥ 0.8 × model',
    pass: rate >= 0.8 * ref.best.imagesPerS,
    note: `${files.length} stamp PNGs, ${DEFAULT_INGEST_CONCURRENCY} in flight (visem ingest's default)`,
  });

  const stages = await benchStages(config, stamps.slice(0, sizes.stagesN));
  report.table('stages', stages);
  log(`stages: ${stages.map((r) => `${r.stage} ${fmt(r.p50Ms)} ms`).join(', ')}`);
  if (rate < 0.8 * ref.best.imagesPerS) reportIngestBound(ctx, ref, stages, rate);
  report.section({
    title: 'ingest, one image at a time, by stage (p50 over the stamps; first image left out)',
    headers: ['stage', 'p50 ms'],
    rows: stages.map((r) => [r.stage, fmt(r.p50Ms)]),
  });
}

/** Stages that wait on the disk rather than use a core. */
const IO_STAGES = new Set(['read file', 'media writes (2 files, fsync)']);

/**
 * The ceiling the stage table implies: on CPU the encoder at its best keeps all its threads' cores busy,
 * so every other stage's CPU time is shared out over the same cores, after the encoder's.
 */
function reportIngestBound(ctx: BenchContext, ref: EncoderReference, stages: StageRow[], rate: number): void {
  const cores = os.cpus().length;
  const cpuMs = stages
    .filter((s) => !s.stage.startsWith('encoder') && !IO_STAGES.has(s.stage))
    .reduce((sum, s) => sum + s.p50Ms, 0);
  const encoderMs = 1000 / ref.best.imagesPerS;
  const ceiling = 1000 / (encoderMs + cpuMs / cores);
  ctx.report.note(
    `ingest_images_per_s (${fmt(rate)}) is bound by the cores the encoder shares: at its best it takes ` +
      `${fmt(encoderMs)} ms an image on ${ref.best.threads} thread(s) of ${cores} cores, and the other stages ` +
      `cost ${fmt(cpuMs)} ms of CPU an image (header, decode, resize, head, tags, copies, hash, upsert), so even perfectly ` +
      `overlapped the pipeline tops out near ${fmt(ceiling)} img/s = ${fmt(ceiling / ref.best.imagesPerS)} × the encoder.`,
  );
}
