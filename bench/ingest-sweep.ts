/**
 * Ingest throughput and CPU per image by runtime setting (ORT_THREADS × INFERENCE_CONCURRENCY ×
 * BATCH_SIZE, and optionally the files in flight, default visem ingest's), in process, over real stamp PNGs. Needs the data dir a full `npm run bench` leaves in .cache/bench/vocab-template.
 * node dist/bench/ingest-sweep.js [images=48] [threads,concurrency,batch[,inflight] ...]   e.g. 1,1,8 0,2,8,16
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServices } from '../src/bootstrap.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { DEFAULT_INGEST_CONCURRENCY } from '../src/services/file-ingest.service.js';
import { log, machine, now, pool, stampFiles } from './lib.js';

const [nArg, ...settings] = process.argv.slice(2);
const n = Number(nArg ?? 48);
const template = path.resolve('.cache', 'bench', 'vocab-template');
if (!fs.existsSync(template))
  throw new Error('run `npm run bench` once first (it leaves .cache/bench/vocab-template)');
const files = stampFiles(n + 1).map((f) => ({
  name: path.basename(f),
  bytes: new Uint8Array(fs.readFileSync(f)),
}));
log(`machine ${JSON.stringify(machine())}`);
for (const s of settings.length ? settings : ['0,2,8', '1,1,8', '1,2,8', '2,1,8', '1,2,1']) {
  const [threads, concurrency, batch, inflight] = s.split(',');
  const flight = Number(inflight ?? DEFAULT_INGEST_CONCURRENCY);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'visem-sweep-'));
  try {
    fs.cpSync(template, dir, { recursive: true });
    const config = loadConfig({
      ...process.env,
      DATA_DIR: dir,
      LOG_LEVEL: 'silent',
      ORT_THREADS: threads,
      INFERENCE_CONCURRENCY: concurrency,
      BATCH_SIZE: batch,
    });
    const services = await createServices(config, createLogger('silent'));
    try {
      await services.ingest.ingest(files[n]!.bytes, { filename: 'warm.png', source: 'bench' });
      const cpu = process.cpuUsage();
      const t = now();
      await pool(files.slice(0, n), flight, async (f) => {
        await services.ingest.ingest(f.bytes, { filename: f.name, source: 'bench' });
      });
      const rate = (n * 1000) / (now() - t);
      const used = process.cpuUsage(cpu);
      const cpuMs = (used.user + used.system) / 1000 / n;
      process.stdout.write(
        `ORT_THREADS=${threads} INFERENCE_CONCURRENCY=${concurrency} BATCH_SIZE=${batch}, ${flight} in flight: ` +
          `${rate.toFixed(2)} img/s, ${cpuMs.toFixed(1)} ms of CPU an image (load ${os.loadavg()[0]!.toFixed(2)})\n`,
      );
    } finally {
      await services.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
