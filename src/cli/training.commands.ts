import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { ensureModelsBuilt, ensurePipelineBuilt } from '../services/models.service.js';
import { evaluateHeads, evaluatePhotoSet } from '../services/eval.service.js';
import { evaluateRelevance, relevanceRows } from '../services/relevance-eval.service.js';
import { trainHead } from '../services/training.service.js';
import type { CliContext } from './main.js';
import { nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber } from './options.js';
import { progressReporter } from './progress.js';

function hiddenSizes(value: string): number[] {
  return value === '' ? [] : value.split(',').map((v) => positiveInt(v.trim()));
}

function lossName(value: string): 'cosine' | 'softmax' {
  if (value !== 'cosine' && value !== 'softmax') throw new InvalidArgumentError('expected cosine or softmax');
  return value;
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
          holdOutUnseen: opts.zeroShot === true,
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
        });
        progress.stop();
        process.stdout.write(
          `trained on ${result.counts.train} images (${result.counts.trainRows} rows, ${result.counts.concepts} concepts); best epoch ` +
            `${result.mlp.bestEpoch}, validation ${opts.loss} loss ${result.mlp.bestValLoss.toFixed(4)}; head in ${opts.out}\n`,
        );
      },
    );

  program
    .command('eval')
    .description(
      'evaluation on held-out data: zero-shot hit@k on unseen concepts and words→images mAP (--images, ' +
        'split by concept, seeded), and tags/search on the held-out photographs (--photos)',
    )
    .option('--images <dir|csv|json>', 'labelled images (the default dataset: .cache/dataset/default.json)')
    .option('--photos <json>', 'a photo set manifest (the held-out one: test/fixtures/photos/photos.json)')
    .option('--heads <dirs>', 'head directories to compare, comma-separated (default: the configured head)')
    .option('--baseline', 'with --photos, also evaluate the nsfwjs InceptionV3 pipeline on the same photos')
    .option(
      '--relevance',
      'with --photos, also score distributions, the calibrated cut-offs, image→image precision and hubness ' +
        '(test half of the photos; the cut-offs are fitted on the other half)',
    )
    .action(async (opts: EvalOptions) => {
      if (!opts.images && !opts.photos) throw new InvalidArgumentError('give --images, --photos or both');
      const config = ctx.config();
      const progress = progressReporter();
      const models = await ensureModelsBuilt(config, ctx.log(), progress.update);
      const headDirs = opts.heads ? opts.heads.split(',').map((d) => path.resolve(d)) : [models.headDir];
      const cacheDir = path.join(config.dataDir, 'feature-cache');
      const tables: string[][][] = [];
      const warnings: string[] = [];
      if (opts.images) {
        const result = await evaluateHeads({
          images: opts.images,
          headDirs,
          encoderDir: models.encoderDir,
          cacheDir,
          onProgress: progress.update,
        });
        tables.push(result.table);
        warnings.push(...result.warnings);
      }
      if (opts.photos) {
        const pipelines = headDirs.map((headDir) => ({ encoderDir: models.encoderDir, headDir }));
        if (opts.baseline) {
          await ensurePipelineBuilt(config.fallbackModels, config, ctx.log(), progress.update);
          pipelines.push(config.fallbackModels);
        }
        tables.push(
          (
            await evaluatePhotoSet({
              photoSet: path.resolve(opts.photos),
              pipelines,
              cacheDir,
              onProgress: progress.update,
            })
          ).table,
        );
      }
      if (opts.photos && opts.relevance) {
        for (const headDir of headDirs) {
          const report = await evaluateRelevance({
            photoSet: path.resolve(opts.photos),
            encoderDir: models.encoderDir,
            headDir,
            runtime: { provider: config.ORT_PROVIDER, intraOpThreads: config.ORT_THREADS },
          });
          tables.push([['relevance', 'measured'], ...relevanceRows(report)]);
        }
      }
      progress.stop();
      for (const t of tables) printTable(t);
      for (const w of warnings) process.stdout.write(`WARNING: ${w}\n`);
    });
}
