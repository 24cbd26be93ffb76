import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { Config } from '../config.js';
import type { RuntimeOptions } from '../models/onnx-runtime.js';
import { ensureModelsBuilt, ensurePipelineBuilt } from '../services/models.service.js';
import { runEvaluation } from '../services/eval.service.js';
import { trainHead, type TrainHeadResult } from '../services/training.service.js';
import { MIN_VALIDATION_CONCEPTS, type ValidationSetting } from '../training/validation-split.js';
import type { WordSpaceOptions } from '../training/word-space.js';
import type { CliContext } from './main.js';
import { nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber } from './options.js';
import { progressReporter } from './progress.js';

/** The word vectors the server and `vocab import` use, so a trained head fits the served vocabulary. */
function wordSpaceOptions(config: Config): WordSpaceOptions {
  return {
    wordVectors: config.WORD_VECTORS,
    topN: config.LABELS_TOP_N,
    ...(config.VOCAB_LIMIT > 0 ? { limit: config.VOCAB_LIMIT } : {}),
  };
}

function runtimeOptions(config: Config): RuntimeOptions {
  return { provider: config.ORT_PROVIDER, intraOpThreads: config.ORT_THREADS };
}

function hiddenSizes(value: string): number[] {
  return value === '' ? [] : value.split(',').map((v) => positiveInt(v.trim()));
}

function lossName(value: string): 'cosine' | 'softmax' {
  if (value !== 'cosine' && value !== 'softmax') throw new InvalidArgumentError('expected cosine or softmax');
  return value;
}

function validationSetting(value: string): ValidationSetting {
  if (value !== 'auto' && value !== 'concepts' && value !== 'images')
    throw new InvalidArgumentError('expected auto, concepts or images');
  return value;
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** "validated on 4 held-out concepts (9 images)", and what --zero-shot kept out. */
function describeSplit(r: TrainHeadResult, zeroShot: boolean): string {
  const c = r.counts;
  const held =
    r.validation === 'concepts'
      ? `validated on ${count(c.valConcepts, 'held-out concept')} (${count(c.val, 'image')}; --validation concepts)`
      : `validated on ${count(c.val, 'held-out image')} of ${count(c.valConcepts, 'seen concept')} (--validation images)`;
  const unseen = zeroShot
    ? `; ${count(c.heldOutUnseenConcepts, 'unseen concept')} (${count(c.heldOutUnseen, 'image')}) kept out for eval`
    : '';
  return held + unseen;
}

function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  for (const [i, row] of rows.entries()) {
    process.stdout.write(`${row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')}\n`);
    if (i === 0) process.stdout.write(`${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  }
}

/** train and eval: the projection head (the original protocol) and its zero-shot evaluation. */
interface EvalOptions {
  images?: string;
  photos?: string;
  heads?: string;
  baseline?: boolean;
  relevance?: boolean;
}

export function registerTrainingCommands(program: Command, ctx: CliContext): void {
  program
    .command('train')
    .description(
      'train a projection head on labelled images (MLP, cosine or softmax-over-labels loss, Adam 1e-3, best epoch by validation)',
    )
    .requiredOption('--images <dir|csv>', 'a folder per label, or a CSV of path,label')
    .requiredOption('--out <dir>', 'where to write the head (model.onnx + manifest.json)')
    .option('--epochs <n>', 'training epochs', positiveInt, 60)
    .option(
      '--hidden <sizes>',
      'hidden layer sizes, comma-separated (the original: 6144,4096,1024)',
      hiddenSizes,
      [1024],
    )
    .option('--batch-size <n>', 'batch size', positiveInt, 256)
    .option('--learning-rate <lr>', 'Adam learning rate', positiveNumber, 1e-3)
    .option(
      '--loss <cosine|softmax>',
      'cosine: 1 - cos(pred, target), the original protocol; softmax: cross-entropy over the cosines to every training label (better zero-shot on the default data)',
      lossName,
      'cosine',
    )
    .option('--temperature <t>', 'softmax temperature on cosines', positiveNumber, 0.1)
    .option(
      '--conse <weight>',
      'fold a ConSE blend over the training labels into the head with this weight (0 = off)',
      nonNegativeNumber,
      0,
    )
    .option('--conse-temperature <t>', 'softmax temperature of the ConSE blend', positiveNumber, 0.03)
    .option(
      '--seed <n>',
      'seeds initialisation, batch order and dropout: a rerun repeats exactly',
      nonNegativeInt,
      1,
    )
    .option('--augment', 'also train on mirrored and 80 %-zoomed views of every training image')
    .option('--zero-shot', 'hold out the unseen concepts of the evaluation split (to measure zero-shot)')
    .option(
      '--validation <auto|concepts|images>',
      'pick the best epoch on held-out whole concepts, or on held-out images of the training concepts; ' +
        `auto: concepts when at least ${MIN_VALIDATION_CONCEPTS} of them can be held out, else images`,
      validationSetting,
      'auto',
    )
    .option('--ridge-out <dir>', 'also export the closed-form ridge baseline as a head here')
    .action(
      async (opts: {
        images: string;
        out: string;
        epochs: number;
        hidden: number[];
        batchSize: number;
        learningRate: number;
        loss: 'cosine' | 'softmax';
        temperature: number;
        conse: number;
        conseTemperature: number;
        seed: number;
        zeroShot?: boolean;
        validation: ValidationSetting;
        augment?: boolean;
        ridgeOut?: string;
      }) => {
        const config = ctx.config();
        const progress = progressReporter();
        const models = await ensureModelsBuilt(config, ctx.log(), progress.update);
        const result = await trainHead({
          images: opts.images,
          out: path.resolve(opts.out),
          encoderDir: models.encoderDir,
          cacheDir: path.join(config.dataDir, 'feature-cache'),
          wordVectors: wordSpaceOptions(config),
          runtime: runtimeOptions(config),
          holdOutUnseen: opts.zeroShot === true,
          validation: opts.validation,
          augment: opts.augment === true,
          ...(opts.ridgeOut ? { ridgeOut: path.resolve(opts.ridgeOut) } : {}),
          ...(opts.conse > 0 ? { conse: { weight: opts.conse, temperature: opts.conseTemperature } } : {}),
          mlp: {
            epochs: opts.epochs,
            hidden: opts.hidden,
            batchSize: opts.batchSize,
            learningRate: opts.learningRate,
            loss: opts.loss,
            temperature: opts.temperature,
            seed: opts.seed,
          },
          checkpointFile: path.join(path.resolve(opts.out), 'training.checkpoint.bin'),
          onProgress: progress.update,
        }).finally(() => progress.stop());
        process.stdout.write(
          `trained on ${result.counts.train} images (${result.counts.trainRows} rows, ${result.counts.concepts} concepts); best epoch ` +
            `${result.mlp.bestEpoch}, validation ${opts.loss} loss ${result.mlp.bestValLoss.toFixed(4)}; ` +
            `${describeSplit(result, opts.zeroShot === true)}; ${result.manifest.output.dimension}-d ` +
            `${result.manifest.wordVectors} head in ${opts.out}\n`,
        );
      },
    );

  program
    .command('eval')
    .description(
      'evaluation on held-out data: zero-shot hit@k on unseen concepts and words→images mAP (--images, ' +
        'split by concept, seeded), and tags/search on the held-out photographs (--photos)',
    )
    .option(
      '--images <dir|csv|json>',
      'labelled images: a folder per label, a CSV of path,label, or a dataset manifest such as ' +
        '.cache/dataset/default.json (written by scripts/build-default-dataset.ts; there is no default)',
    )
    .option('--photos <json>', 'a photo set manifest (the held-out one: test/fixtures/photos/photos.json)')
    .option('--heads <dirs>', 'head directories to compare, comma-separated (default: the configured head)')
    .option('--baseline', 'with --photos, also evaluate the nsfwjs InceptionV3 pipeline on the same photos')
    .option(
      '--relevance',
      'with --photos, also score distributions, the calibrated cut-offs, image→image precision and hubness ' +
        '(test half of the photos; the cut-offs are fitted on the other half)',
    )
    .action(async (opts: EvalOptions, command: Command) => {
      if (!opts.images && !opts.photos) command.error('error: give --images, --photos or both');
      // Both only score photo sets: without one they would be ignored in silence.
      for (const flag of ['baseline', 'relevance'] as const)
        if (opts[flag] && !opts.photos) command.error(`error: --${flag} needs --photos`);
      const config = ctx.config();
      const progress = progressReporter();
      const models = await ensureModelsBuilt(config, ctx.log(), progress.update);
      if (opts.photos && opts.baseline)
        await ensurePipelineBuilt(config.fallbackModels, config, ctx.log(), progress.update);
      const { tables, warnings } = await runEvaluation({
        ...(opts.images ? { images: opts.images } : {}),
        ...(opts.photos ? { photos: path.resolve(opts.photos) } : {}),
        headDirs: opts.heads ? opts.heads.split(',').map((d) => path.resolve(d)) : [models.headDir],
        encoderDir: models.encoderDir,
        photoBaselines: opts.baseline ? [config.fallbackModels] : [],
        relevance: opts.relevance === true,
        cacheDir: path.join(config.dataDir, 'feature-cache'),
        wordVectors: wordSpaceOptions(config),
        runtime: runtimeOptions(config),
        onProgress: progress.update,
      }).finally(() => progress.stop());
      for (const t of tables) printTable(t);
      for (const w of warnings) process.stdout.write(`WARNING: ${w}\n`);
    });
}
