/**
 * Trains the shipped head on the default dataset's seen concepts, exports it to models/head-default and
 * evaluates it on the unseen concepts (same split). Prereqs: build-default-dataset + models build.
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
const out = path.resolve(process.argv[3] ?? 'models/head-default');
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
  provenance: {
    source:
      'visem scripts/train-default-head.ts on emoji-datasource-twitter/-google 16.0.0 PNGs and Debian tuxpaint-stamps-default',
    license:
      'weights derived from CC-BY-4.0 (Twemoji), Apache-2.0 (Noto Emoji) and GPL-2 (Tux Paint stamps) images; see MODEL_CARD.md',
  },
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
// Record the zero-shot numbers in the manifest (the checksum covers model.onnx only).
const manifestPath = path.join(out, 'manifest.json');
const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { metrics?: Record<string, unknown> };
manifest.metrics = {
  ...manifest.metrics,
  zeroShot: { counts: ev.counts, ...ev.report, tagNeighbourOverlapAt5: ev.comparison.meanOverlap },
};
await writeFile(`${manifestPath}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
await rename(`${manifestPath}.tmp`, manifestPath);
