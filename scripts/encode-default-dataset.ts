/**
 * Pre-encodes the default dataset into the feature cache with the configured encoder (ENCODER, default
 * efficientnet-lite2), resumable: node dist/scripts/encode-default-dataset.js
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { datasetFeatures } from '../src/training/dataset-features.js';
import type { LabelledImage } from '../src/training/labelled-images.js';

const items = JSON.parse(
  await readFile(process.env.DATASET ?? '.cache/dataset/default.json', 'utf8'),
) as LabelledImage[];
const started = Date.now();
let last = 0;
const result = await datasetFeatures(items, {
  encoderDir: loadConfig(process.env).encoderDir,
  cacheDir: path.resolve('.cache/features'),
  augment: ['flop', 'zoom'],
  onProgress: (stage, done, total) => {
    if (Date.now() - last < 10_000 && done < total) return;
    last = Date.now();
    process.stdout.write(`${stage} ${done}/${total} ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  },
});
process.stdout.write(
  `${result.features.length} encoded, ${result.skipped.length} skipped in ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
);
for (const s of result.skipped.slice(0, 10)) process.stdout.write(`skip ${s.path}: ${s.reason}\n`);
