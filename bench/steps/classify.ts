/** Step 3: `classify` over HTTP, one client and then four at once, on distinct real PNGs (nothing cached). */
import fs from 'node:fs';
import path from 'node:path';
import type { BenchContext } from '../context.js';
import { median, now, percentile, pool } from '../lib.js';
import { classify, startServe, stopServe } from '../server.js';
import type { EncoderReference } from './models.js';

export async function benchClassify(
  ctx: BenchContext,
  ref: EncoderReference,
  stamps: string[],
): Promise<void> {
  const { report, sizes } = ctx;
  const bytesOf = (f: string) => new Uint8Array(fs.readFileSync(f));
  const single: number[] = [];
  const conc: number[] = [];
  const server = await startServe(ctx.serveEnv, 120);
  let concRate: number;
  try {
    await classify(server.url, bytesOf(stamps.at(-1)!), 'warm.png');
    for (const f of stamps.slice(0, sizes.classifyN)) {
      const b = bytesOf(f);
      const t = now();
      await classify(server.url, b, path.basename(f));
      single.push(now() - t);
    }
    const tc = now();
    await pool(stamps.slice(sizes.classifyN, sizes.classifyN + sizes.classifyConcN), 4, async (f) => {
      const b = bytesOf(f);
      const t = now();
      await classify(server.url, b, path.basename(f));
      conc.push(now() - t);
    });
    concRate = (conc.length * 1000) / (now() - tc);
  } finally {
    await stopServe(server);
  }
  const p50 = median(single);
  const bound = ref.batch1.p50Ms + 10;
  report.figure({
    metric: 'classify_p50_ms',
    value: p50,
    unit: 'ms',
    reference: bound,
    referenceLabel: 'model p50 + 10',
    goal: '≤ model p50 + 10 ms',
    pass: p50 <= bound,
  });
  report.figure({
    metric: 'classify_p99_ms',
    value: percentile(single, 99),
    unit: 'ms',
    note: `1 client, n=${single.length}`,
  });
  report.figure({
    metric: 'classify_4clients_p50_ms',
    value: median(conc),
    unit: 'ms',
    note: `n=${conc.length}`,
  });
  report.figure({
    metric: 'classify_4clients_images_per_s',
    value: concRate,
    unit: 'img/s',
    reference: ref.best.imagesPerS,
    referenceLabel: 'model',
  });
  report.table('classify', { single, concurrent: conc, concurrentImagesPerS: concRate });
}
