/**
 * `npm run bench [-- --quick] [-- --provider cpu|cuda] [-- --sizes 10000,100000] [-- --keep]`: throughput,
 * latency, recall, start time, memory and how they grow with the collection, each next to the
 * reference or bound it is judged against. Prints a table, writes bench-results.json. Not a test:
 * nothing here asserts; it measures and reports. One module per measurement under steps/; see README.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createContext, parseArgs } from './context.js';
import { log, machine, now, stampFiles } from './lib.js';
import { benchClassify } from './steps/classify.js';
import { benchGrowth } from './steps/growth.js';
import { benchIngest } from './steps/ingest.js';
import { benchModels } from './steps/models.js';
import { benchStart } from './steps/start.js';
import { benchVocabulary, wordsByFrequency } from './steps/vocabulary.js';

const options = parseArgs(process.argv.slice(2));
const ctx = createContext(options, process.env);
const { sizes, report, config } = ctx;
const headName = (
  JSON.parse(fs.readFileSync(path.join(config.headDir, 'manifest.json'), 'utf8')) as { name: string }
).name;
const mode = options.quick ? 'quick' : 'full';
const started = now();
log(
  `mode ${mode}, provider ${options.provider}, head ${headName}, sizes ${options.sizes.join(',')}, data ${ctx.dataDir}`,
);
log(`machine ${JSON.stringify(machine())}`);

try {
  const encoder = await benchModels(ctx);
  await benchStart(ctx);
  const stamps = stampFiles(sizes.ingestN + sizes.classifyN + sizes.classifyConcN + 2);
  await benchClassify(ctx, encoder, stamps.slice(sizes.ingestN));
  await benchIngest(ctx, encoder, stamps);
  const byFrequency = await wordsByFrequency();
  await benchVocabulary(ctx, byFrequency);
  await benchGrowth(ctx, encoder.visualDim, byFrequency);

  const seconds = (now() - started) / 1000;
  const synthetic =
    'searchImages figures use synthetic points (the vector of one of the 20k most frequent words + noise as the semantic vector, a random visual vector) inserted straight into the store; ingest and classify use real Tux Paint stamp PNGs';
  report.note(`${synthetic}.`);
  const outFile = path.resolve('bench-results.json');
  report.write(outFile, {
    mode,
    provider: options.provider,
    head: headName,
    device: options.provider === 'cpu' ? machine().cpu : 'cuda',
    finishedAt: new Date().toISOString(),
    seconds,
    sizes: options.sizes,
    syntheticImages: synthetic,
  });
  report.note(`wrote ${outFile}`);
  report.print(`visem bench (${mode}, ${options.provider}) in ${seconds.toFixed(0)} s`);
} finally {
  if (!options.keep) fs.rmSync(ctx.work, { recursive: true, force: true });
}
