/**
 * Step 4: the ingest pipeline in process (read file → decode → encoder → head → tags → stored copies +
 * store), then where one image's time goes, stage by stage.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createServices } from '../../src/bootstrap.js';
import { createLogger } from '../../src/log.js';
import type { BenchContext } from '../context.js';
import { fmt, log, now, pool } from '../lib.js';
import { benchStages } from '../stages.js';
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
    await pool(files, 8, async (f) => {
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
    note: `${files.length} stamp PNGs, 8 in flight`,
  });

  const stages = await benchStages(config, stamps.slice(0, sizes.stagesN));
  report.table('stages', stages);
  log(`stages: ${stages.map((r) => `${r.stage} ${fmt(r.p50Ms)} ms`).join(', ')}`);
  report.section({
    title: 'ingest, one image at a time, by stage (p50 over the stamps; first image left out)',
    headers: ['stage', 'p50 ms'],
    rows: stages.map((r) => [r.stage, fmt(r.p50Ms)]),
  });
}
