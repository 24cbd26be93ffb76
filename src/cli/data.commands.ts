import type { Command } from 'commander';
import { loadModels, openStore, reindexStore, type ReindexRun } from '../bootstrap.js';
import { exportImages, importImages } from '../services/migration.service.js';
import { ensureModelsBuilt } from '../services/models.service.js';
import { ensureVocabulary } from '../services/vocabulary-import.service.js';
import type { CliContext } from './main.js';
import { positiveInt } from './options.js';
import { progressReporter } from './progress.js';

const REINDEX_HELP = `
Every collection records the models that wrote it (encoder and head: name, sha256, dimension; word
vectors: name, dimension, size). A server or CLI run on a store written by other models, or by a visem
that recorded none (taken as inception-v3-mixed6 + head-default), stops with STORE_MODEL_MISMATCH.
reindex brings the store to the configured models (ENCODER, HEAD, WORD_VECTORS):

  1. the vocabulary is imported again when it came from other word vectors;
  2. every stored image is re-embedded from its stored copy under DATA_DIR/images (tags recomputed)
     into a new collection, which takes the place of the old one in one step once complete.

Stop servers that write to the store first. Interrupted (crash, Ctrl-C)? Run it again: it keeps what
was done and embeds the rest. On an up-to-date store it does nothing. Works on the embedded store and
on Qdrant (QDRANT_URL).

Examples:
  visem reindex                                   # after upgrading, or changing ENCODER/HEAD
  HEAD=models/my-head visem reindex --concurrency 4
`;

function printReindex(run: ReindexRun, dropMissing: boolean): void {
  const { report, identity } = run;
  const models =
    `encoder ${identity.encoder.name}, head ${identity.head.name}, ` +
    `word vectors ${identity.wordVectors.name}`;
  const vocabulary = run.vocabularyImported ? 'vocabulary imported again; ' : '';
  if (report.upToDate) {
    process.stdout.write(
      `${vocabulary}images up to date: ${report.images} images already embedded by ${models}; nothing to re-embed\n`,
    );
    return;
  }
  for (const f of report.failed)
    process.stderr.write(`  FAILED ${f.id} (${f.filename}): ${f.code} ${f.message}\n`);
  if (!report.switched) {
    process.stderr.write(
      `${report.failed.length} images could not be re-embedded, so the store was left as it was ` +
        `(${report.embedded + report.resumed} are done and kept): restore their files under DATA_DIR/images ` +
        'and run `visem reindex` again, or add --drop-missing to leave them out\n',
    );
    process.exitCode = 1;
    return;
  }
  process.stdout.write(
    `${vocabulary}reindexed: ${report.images} images now embedded by ${models} ` +
      `(${report.embedded} re-embedded, ${report.resumed} kept from an interrupted run` +
      `${report.removed ? `, ${report.removed} deleted meanwhile` : ''}` +
      `${dropMissing && report.failed.length ? `, ${report.failed.length} left out` : ''})\n`,
  );
}

/** vocab import, export, import, reindex: data in and out of the configured store. */
export function registerDataCommands(program: Command, ctx: CliContext): void {
  const vocab = program.command('vocab').description('the vocabulary collection (word vectors and labels)');
  vocab
    .command('import')
    .description('import WORD_VECTORS into the store (resumable; skipped when already complete)')
    .option('--force', 'import again from the start')
    .action(async (opts: { force?: boolean }) => {
      const config = ctx.config();
      const progress = progressReporter();
      const models = await loadModels(config, await ensureModelsBuilt(config, ctx.log(), progress.update));
      const store = await openStore(config, { background: false });
      try {
        await ensureVocabulary(config, store, models.head.dimension, ctx.log(), progress.update, {
          force: opts.force === true,
        });
        progress.stop();
        const total = (await store.collectionInfo('vocabulary'))?.count ?? 0;
        process.stdout.write(`vocabulary: ${total} words in the ${store.backend} store\n`);
      } finally {
        await store.close();
        await models.runtime.release();
      }
    });

  program
    .command('export')
    .description('write every stored image point (vectors + payload) to a JSON Lines file')
    .argument('<file>')
    .action(async (file: string) => {
      const store = await openStore(ctx.config(), { background: false });
      try {
        const n = await exportImages(store, file, (done) => process.stderr.write(`\rexported ${done}`));
        process.stdout.write(`\nexported ${n} images to ${file}\n`);
      } finally {
        await store.close();
      }
    });

  program
    .command('import')
    .description('load images exported by `visem export` into the configured store (idempotent)')
    .argument('<file>')
    .action(async (file: string) => {
      const store = await openStore(ctx.config(), { background: false });
      try {
        const n = await importImages(store, file, (done) => process.stderr.write(`\rimported ${done}`));
        process.stdout.write(`\nimported ${n} images into the ${store.backend} store\n`);
      } finally {
        await store.close();
      }
    });

  program
    .command('reindex')
    .description(
      're-embed every stored image (and re-import the vocabulary) with the configured models; ' +
        'resumable, idempotent',
    )
    .option(
      '-c, --concurrency <n>',
      'images read and embedded at once (default: INFERENCE_CONCURRENCY × BATCH_SIZE)',
      positiveInt,
    )
    .option(
      '--drop-missing',
      'leave out images whose stored copy is missing or unreadable, instead of stopping',
    )
    .addHelpText('after', REINDEX_HELP)
    .action(async (opts: { concurrency?: number; dropMissing?: boolean }) => {
      const progress = progressReporter();
      const dropMissing = opts.dropMissing === true;
      let run: ReindexRun;
      try {
        run = await reindexStore(ctx.config(), ctx.log(), progress.update, {
          dropMissing,
          ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
        });
      } finally {
        progress.stop();
      }
      printReindex(run, dropMissing);
    });
}
