import type { Command } from 'commander';
import { loadModels, openStore } from '../bootstrap.js';
import { exportImages, importImages } from '../services/migration.service.js';
import { ensureModelsBuilt } from '../services/models.service.js';
import { ensureVocabulary } from '../services/vocabulary-import.service.js';
import type { CliContext } from './main.js';
import { progressReporter } from './progress.js';

/** vocab import, export, import: data in and out of the configured store. */
export function registerDataCommands(program: Command, ctx: CliContext): void {
  const vocab = program.command('vocab').description('the vocabulary collection (word vectors and labels)');
  vocab
    .command('import')
    .description('import WORD_VECTORS into the store (resumable; skipped when already complete)')
    .option('--force', 'import again from the start')
    .action(async (opts: { force?: boolean }) => {
      const config = ctx.config();
      const progress = progressReporter();
      await ensureModelsBuilt(config, ctx.log(), progress.update);
      const models = await loadModels(config);
      const store = await openStore(config, { background: false });
      try {
        await ensureVocabulary(
          config,
          store,
          models.head.dimension,
          ctx.log(),
          progress.update,
          opts.force === true,
        );
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
}
