/**
 * Trains the shipped head in two runs with one recipe. (1) The zero-shot protocol: train on the seen
 * concepts only and evaluate on the unseen ones (same split) — these are the numbers reported. (2) The
 * shipped head: the same recipe on every concept, so users get all the training data; its manifest
 * carries the protocol run's numbers, labelled as such. Prereqs: build-default-dataset + models build.
 *   node dist/scripts/train-default-head.js ['{"mlp":{"hidden":[512]},"augment":true}'] [outDir]
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { evaluateHeads } from '../src/services/eval.service.js';
import { trainHead } from '../src/services/training.service.js';
import type { MlpConfig } from '../src/training/mlp-trainer.js';
import { loadWordSpace } from '../src/training/word-space.js';

const args = JSON.parse(process.argv[2] ?? '{}') as {
  mlp?: Partial<MlpConfig>;
  augment?: boolean;
  ridgeLambda?: number;
};
const mlp = args.mlp ?? {};
const shipped = path.resolve(process.argv[3] ?? 'models/head-default');
const out = path.resolve('.cache/head-zeroshot');
const provenance = {
  source:
    'visem scripts/train-default-head.ts on emoji-datasource-twitter/-google 16.0.0 PNGs and Debian tuxpaint-stamps-default',
  license:
    'weights derived from CC-BY-4.0 (Twemoji), Apache-2.0 (Noto Emoji) and GPL-2 (Tux Paint stamps) images; see MODEL_CARD.md',
};
const common = {
  images: '.cache/dataset/default.json',
  encoderDir: path.resolve('models/inception-v3-mixed6'),
  cacheDir: path.resolve('.cache/features'),
};
const log = (s: string) => process.stdout.write(`${s}\n`);
const wordSpace = await loadWordSpace();
const trained = await trainHead({
  ...common,
  out,
  wordSpace,
  mlp,
  holdOutUnseen: true,
  augment: args.augment ?? false,
  ...(args.ridgeLambda ? { ridgeLambda: args.ridgeLambda } : {}),
  ridgeOut: path.resolve('.cache/head-ridge'),
  checkpointFile: path.resolve('.cache/head-default.checkpoint.bin'),
  name: 'head-default',
  provenance,
  onEpoch: (r) =>
    log(
      `epoch ${r.epoch}/${r.epochs} train ${r.trainLoss.toFixed(4)} val ${r.valLoss.toFixed(4)}${r.best ? ' *' : ''} ${r.seconds.toFixed(1)} s`,
    ),
});
const { history: _h, ...mlpSummary } = trained.mlp;
log(JSON.stringify({ counts: trained.counts, ridge: trained.ridge, mlp: mlpSummary }));
const evaluation = await evaluateHeads({
  ...common,
  headDirs: [out, path.resolve('.cache/head-ridge')],
  wordSpace,
});
for (const row of evaluation.table) log(row.join('\t'));
const ev = evaluation.heads[0]!.evaluation;
for (const e of ev.comparison.examples)
  log(`${e.group}\t${e.concept}\thead: ${e.headTags.join(' ')}\tconcept: ${e.conceptNeighbours.join(' ')}`);
// (2) The shipped head: same recipe, every concept.
const all = await trainHead({
  ...common,
  out: shipped,
  wordSpace,
  mlp,
  holdOutUnseen: false,
  augment: args.augment ?? false,
  ridgeLambda: 0,
  checkpointFile: path.resolve('.cache/head-shipped.checkpoint.bin'),
  name: 'head-default',
  provenance,
});
log(JSON.stringify({ shipped: all.counts, bestEpoch: all.mlp.bestEpoch, bestValLoss: all.mlp.bestValLoss }));
// Record the protocol run's zero-shot numbers in the shipped manifest (the checksum covers model.onnx only).
const manifestPath = path.join(shipped, 'manifest.json');
const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { metrics?: Record<string, unknown> };
manifest.metrics = {
  ...manifest.metrics,
  zeroShot: {
    note: 'measured on the same recipe trained without the unseen concepts (.cache/head-zeroshot); the shipped head is trained on all concepts',
    counts: ev.counts,
    ...ev.report,
    tagNeighbourOverlapAt5: ev.comparison.meanOverlap,
  },
};
await writeFile(`${manifestPath}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
await rename(`${manifestPath}.tmp`, manifestPath);
