/**
 * Child process for embedded-crash.test.ts: upserts batches forever and prints `ACK <batch>` after each
 * upsert resolved, until it is killed. Run with: node --import ./test/support/ts-loader.mjs <this> <dir>
 */
import { EmbeddedStore } from '../../src/store/embedded.store.js';
import { batchPoints, BATCH, DIM } from './crash-data.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: crash-worker.ts <dir>');
const store = await EmbeddedStore.open({ dir, annMinPoints: 2_000, annBuildThreads: 1, annBuildDelayMs: 0 });
await store.ensureCollection({ name: 'crash', vectors: { v: { size: DIM } } });
process.stdout.write('READY\n');
for (let b = 0; ; b++) {
  await store.upsert('crash', batchPoints(b));
  process.stdout.write(`ACK ${b} ${BATCH}\n`);
}
