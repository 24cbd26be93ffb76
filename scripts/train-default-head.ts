/**
 * Trains the shipped head in two runs with one recipe. (1) The zero-shot protocol: train on the seen
 * concepts only and evaluate on the unseen ones (same split) — these are the numbers reported. (2) The
 * shipped head: the same recipe on every concept, so users get all the training data; its manifest
 * carries the protocol run's numbers, labelled as such. Prereqs: build-default-dataset + models build.
 *   node dist/scripts/train-default-head.js ['{"mlp":{"hidden":[512]},"augment":true}'] [outDir] [stage]
 * stage: `all` (default) runs protocol → shipped → record. tfjs trains on one thread, so on a multi-core
 * machine run `protocol` and `shipped` as two processes at once, then `record` (copies the protocol
 * run's numbers into the shipped manifest). Run encode-default-dataset first: the feature cache takes one
 * writer at a time, and with every feature cached the two stages only read it.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { evaluateHeads } from '../src/services/eval.service.js';
import { trainHead } from '../src/services/training.service.js';
import type { MlpConfig } from '../src/training/mlp-trainer.js';
import { loadWordSpace, type WordSpace } from '../src/training/word-space.js';

const args = JSON.parse(process.argv[2] ?? '{}') as {
  mlp?: Partial<MlpConfig>;
  augment?: boolean;
  ridgeLambda?: number;
  conse?: { weight: number; temperature: number };
};
const mlp = args.mlp ?? {};
// The configured encoder (ENCODER, default efficientnet-lite2); the head is named after its directory.
const encoderDir = loadConfig(process.env).encoderDir;
const shipped = path.resolve(process.argv[3] ?? `models/head-${path.basename(encoderDir)}-mlp`);
const name = path.basename(shipped);
const out = path.resolve(`.cache/${name}-zeroshot`);
const stage = process.argv[4] ?? 'all';
if (!['all', 'protocol', 'shipped', 'record'].includes(stage)) throw new Error(`unknown stage ${stage}`);
const evaluationFile = path.join(out, 'evaluation.json');
const provenance = {
  source:
    'visem scripts/train-default-head.ts on emoji-datasource-twitter/-google 16.0.0 PNGs, the Iconify emoji sets fluent-emoji-flat, openmoji, emojione, fxemoji and noto-v1 (rendered from SVG), and Debian tuxpaint-stamps-default',
  license:
    'weights derived from CC-BY-4.0 (Twemoji, EmojiOne), Apache-2.0 (Noto Emoji, Firefox OS emoji), MIT (Fluent Emoji), CC-BY-SA-4.0 (OpenMoji) and GPL-2 (Tux Paint stamps) images; see MODEL_CARD.md',
};
const common = {
  images: '.cache/dataset/default.json',
  encoderDir,
  cacheDir: path.resolve('.cache/features'),
};
const log = (s: string) => process.stdout.write(`${s}\n`);
const wordSpace = stage === 'record' ? undefined : await loadWordSpace();
if (stage === 'all' || stage === 'protocol') await protocolRun(wordSpace!);
if (stage === 'all' || stage === 'shipped') await shippedRun(wordSpace!);
if (stage === 'all' || stage === 'record') await record();

/** (1) Seen concepts only; evaluated on the unseen ones. */
async function protocolRun(wordSpace: WordSpace): Promise<void> {
  const trained = await trainHead({
    ...common,
    out,
    wordSpace,
    mlp,
    holdOutUnseen: true,
    augment: args.augment ?? false,
    ...(args.conse ? { conse: args.conse } : {}),
    ...(args.ridgeLambda ? { ridgeLambda: args.ridgeLambda } : {}),
    ridgeOut: path.resolve(`.cache/${name}-ridge`),
    checkpointFile: path.resolve(`.cache/${name}.checkpoint.bin`),
    name,
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
    headDirs: [out, path.resolve(`.cache/${name}-ridge`)],
    wordSpace,
  });
  for (const row of evaluation.table) log(row.join('\t'));
  const ev = evaluation.heads[0]!.evaluation;
  for (const e of ev.comparison.examples)
    log(`${e.group}\t${e.concept}\thead: ${e.headTags.join(' ')}\tconcept: ${e.conceptNeighbours.join(' ')}`);
  // The recipe travels with the numbers, so `record` refuses to pair them with a head trained differently.
  const body = {
    recipe: args,
    counts: ev.counts,
    ...ev.report,
    tagNeighbourOverlapAt5: ev.comparison.meanOverlap,
  };
  await writeFile(`${evaluationFile}.tmp`, JSON.stringify(body));
  await rename(`${evaluationFile}.tmp`, evaluationFile);
}

/** (2) The shipped head: same recipe, every concept. */
async function shippedRun(wordSpace: WordSpace): Promise<void> {
  const all = await trainHead({
    ...common,
    out: shipped,
    wordSpace,
    mlp,
    holdOutUnseen: false,
    augment: args.augment ?? false,
    ...(args.conse ? { conse: args.conse } : {}),
    ridgeLambda: 0,
    checkpointFile: path.resolve(`.cache/${name}-shipped.checkpoint.bin`),
    name,
    provenance,
  });
  log(
    JSON.stringify({ shipped: all.counts, bestEpoch: all.mlp.bestEpoch, bestValLoss: all.mlp.bestValLoss }),
  );
}

/** Records the protocol run's zero-shot numbers in the shipped manifest (the checksum covers model.onnx only). */
async function record(): Promise<void> {
  const { recipe, ...zeroShot } = JSON.parse(await readFile(evaluationFile, 'utf8')) as {
    recipe: typeof args;
  } & Record<string, unknown>;
  const manifestPath = path.join(shipped, 'manifest.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as {
    metrics?: Record<string, unknown>;
    training: { config: Record<string, unknown>; augment: string[]; conse?: Record<string, unknown> };
  };
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const mismatch = [
    ...Object.entries(recipe.mlp ?? {})
      .filter(([k, v]) => !same(manifest.training.config[k], v))
      .map(([k]) => `mlp.${k}`),
    ...(manifest.training.augment.length > 0 === (recipe.augment ?? false) ? [] : ['augment']),
    ...(same(recipe.conse?.weight, manifest.training.conse?.weight) &&
    same(recipe.conse?.temperature, manifest.training.conse?.temperature)
      ? []
      : ['conse']),
  ];
  if (mismatch.length > 0)
    throw new Error(`the protocol run's recipe differs from the shipped head's: ${mismatch.join(', ')}`);
  manifest.metrics = {
    ...manifest.metrics,
    zeroShot: {
      note: 'measured on the same recipe trained without the unseen concepts (.cache/head-zeroshot); the shipped head is trained on all concepts',
      ...zeroShot,
    },
  };
  await writeFile(`${manifestPath}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(`${manifestPath}.tmp`, manifestPath);
}
