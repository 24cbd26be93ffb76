/**
 * Generates `<head>/relevance.json`: the default cut-offs and the logistic P(relevant | cosine) of the
 * configured pipeline (ENCODER, HEAD) for words→images and image→image, fitted on the calibration half of
 * the held-out photo set (test/fixtures/photos, every other photo in manifest order). The test half is
 * what `visem eval --photos … --relevance` reports. CI regenerates the file for both shipped pipelines and
 * fails on drift.
 *
 * Run: npm run build && node dist/scripts/calibrate-relevance.js
 *      ENCODER=inception-v3-mixed6 HEAD=head-inception-v3-mixed6 node dist/scripts/calibrate-relevance.js
 */
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { toPrettyJson, writeAtomic } from '../src/models/model-files.js';
import { RELEVANCE_FILE, type RelevanceFile } from '../src/models/relevance.js';
import { evaluateRelevance, relevanceRows } from '../src/services/relevance-eval.service.js';

const PHOTO_SET = 'test/fixtures/photos/photos.json';

const config = loadConfig(process.env);
const report = await evaluateRelevance({
  photoSet: path.resolve(PHOTO_SET),
  encoderDir: config.encoderDir,
  headDir: config.headDir,
  runtime: { provider: config.ORT_PROVIDER, intraOpThreads: config.ORT_THREADS },
});
const file: RelevanceFile = {
  kind: 'relevance-calibration',
  generator: 'scripts/calibrate-relevance.ts',
  photoSet: PHOTO_SET,
  split: 'calibration half: photos at even positions (0, 2, 4, …) of the manifest',
  inputs: { encoderSha256: report.pipeline.encoderSha256, headSha256: report.pipeline.headSha256 },
  text: report.calibration.text,
  image: report.calibration.image,
};
const out = path.join(config.headDir, RELEVANCE_FILE);
await writeAtomic(out, toPrettyJson(file), `.${RELEVANCE_FILE}.tmp`);
for (const [label = '', value = ''] of relevanceRows(report)) console.log(`${label.padEnd(48)} ${value}`);
console.log(`wrote ${out}`);
