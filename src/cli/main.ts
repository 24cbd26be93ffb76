#!/usr/bin/env node
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, Option } from 'commander';
import { createServices } from '../bootstrap.js';
import { loadConfig, readEnvFile, type Config } from '../config.js';
import { ErrorCode, isAppError } from '../errors.js';
import { printAppSchema } from '../graphql/schema.js';
import { createLogger, type Logger } from '../log.js';
import { packageRoot } from '../paths.js';
import { startServer } from '../server/app.js';
import {
  DEFAULT_INGEST_CONCURRENCY,
  expandImagePaths,
  ingestFiles,
} from '../services/file-ingest.service.js';
import { ensureModelsBuilt } from '../services/models.service.js';
import { registerDataCommands } from './data.commands.js';
import { positiveInt } from './options.js';
import { progressReporter } from './progress.js';
import { registerTrainingCommands } from './training.commands.js';

/** Global flags that override the environment (same names as the env variables). */
const GLOBAL_FLAGS: Record<string, string> = {
  host: 'HOST',
  port: 'PORT',
  dataDir: 'DATA_DIR',
  modelsDir: 'MODELS_DIR',
  encoder: 'ENCODER',
  head: 'HEAD',
  wordVectors: 'WORD_VECTORS',
  qdrantUrl: 'QDRANT_URL',
  provider: 'ORT_PROVIDER',
  logLevel: 'LOG_LEVEL',
};

export interface CliContext {
  config: () => Config;
  log: () => Logger;
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

function buildProgram(): Command {
  const program = new Command('visem')
    .description('Semantic image search over GraphQL (visual-to-semantic transfer)')
    .version(packageVersion(), '-V, --version')
    .option('--env-file <file>', 'settings file read before the environment (which wins)', '.env')
    .option('--host <host>', 'HOST')
    .option('--port <port>', 'PORT')
    .option('--data-dir <dir>', 'DATA_DIR')
    .option('--models-dir <dir>', 'MODELS_DIR')
    .option('--encoder <name|dir>', 'ENCODER')
    .option('--head <name|dir>', 'HEAD')
    .option('--word-vectors <name|file>', 'WORD_VECTORS')
    .option('--qdrant-url <url>', 'QDRANT_URL (use Qdrant instead of the embedded store)')
    .addOption(new Option('--provider <provider>', 'ORT_PROVIDER').choices(['auto', 'cpu', 'cuda']))
    .option('--log-level <level>', 'LOG_LEVEL');

  let config: Config | undefined;
  let log: Logger | undefined;
  const ctx: CliContext = {
    config: () => {
      if (!config) {
        const opts = program.opts<Record<string, string | undefined>>();
        const overrides = Object.fromEntries(
          Object.entries(GLOBAL_FLAGS).flatMap(([flag, env]) =>
            opts[flag] !== undefined ? [[env, opts[flag]]] : [],
          ),
        );
        const fromFile = readEnvFile(path.resolve(opts.envFile ?? '.env'));
        config = loadConfig({ ...fromFile, ...process.env }, overrides);
      }
      return config;
    },
    log: () => (log ??= createLogger(ctx.config().LOG_LEVEL)),
  };

  program
    .command('serve')
    .description('start the GraphQL server (prepares models and vocabulary on first start)')
    .action(async () => {
      const progress = progressReporter();
      const services = await createServices(ctx.config(), ctx.log(), progress.update);
      progress.stop();
      const server = await startServer(services, ctx.log()).catch(async (e: unknown) => {
        await services.close();
        throw e;
      });
      process.stderr.write(`visem ready at ${server.url}/graphql (web page at ${server.url}/)\n`);
      const shutdown = (signal: string) => {
        ctx.log().info({ signal }, 'shutting down: draining requests');
        server.stop().then(
          () => process.exit(0),
          (e: unknown) => {
            ctx.log().error({ err: e }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', shutdown);
      process.once('SIGINT', shutdown);
    });

  program
    .command('ingest')
    .description('store images from files, folders (recursive) or globs; reruns skip stored images')
    .argument('<paths...>', 'files, directories or quoted globs')
    .option(
      '-c, --concurrency <n>',
      'files read and decoded at once',
      positiveInt,
      DEFAULT_INGEST_CONCURRENCY,
    )
    .option('--report <file>', 'write a JSON report (created, skipped, failures)')
    .action(async (paths: string[], opts: { concurrency: number; report?: string }) => {
      const { files, unmatched } = await expandImagePaths(paths);
      // Every argument that gave nothing is named, and makes the exit code non-zero.
      for (const u of unmatched) process.stderr.write(`  NOT FOUND ${u.path}: ${u.reason}\n`);
      if (unmatched.length > 0) process.exitCode = 1;
      if (files.length === 0) {
        process.stderr.write('no image files found\n');
        process.exitCode = 1;
        return;
      }
      const progress = progressReporter();
      const services = await createServices(ctx.config(), ctx.log(), progress.update, {
        background: false,
      });
      try {
        const report = await ingestFiles(services.ingest, files, {
          concurrency: opts.concurrency,
          onProgress: (done, total) => progress.update('ingesting images', done, total),
        });
        progress.stop();
        process.stdout.write(
          `ingested ${report.total} files: ${report.created} new, ${report.skipped} already stored, ${report.failed.length} failed\n`,
        );
        for (const f of report.failed) process.stderr.write(`  FAILED ${f.file}: ${f.code} ${f.message}\n`);
        if (opts.report) await writeFile(opts.report, JSON.stringify({ ...report, unmatched }, null, 2));
        if (report.failed.length > 0 || unmatched.length > 0) process.exitCode = 1;
      } finally {
        await services.close();
      }
    });

  const models = program.command('models').description('image encoder models');
  models
    .command('build')
    .description('build the configured encoder from its manifest recipe (idempotent, checksummed)')
    .option('--force', 'rebuild even when the file checks out')
    .action(async (opts: { force?: boolean }) => {
      const progress = progressReporter();
      await ensureModelsBuilt(ctx.config(), ctx.log(), progress.update, opts.force === true);
      progress.stop();
    });

  program
    .command('schema')
    .description('print the GraphQL SDL (sorted)')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (opts: { out?: string }) => {
      const sdl = await printAppSchema();
      if (!opts.out) process.stdout.write(sdl);
      else {
        await mkdir(path.dirname(opts.out), { recursive: true });
        await writeFile(opts.out, sdl);
      }
    });

  registerDataCommands(program, ctx);
  registerTrainingCommands(program, ctx);
  return program;
}

buildProgram()
  .parseAsync(process.argv)
  .catch((e: unknown) => {
    process.stderr.write(
      `visem: ${isAppError(e) ? `${e.code}: ${e.message}` : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    if (isAppError(e) && e.code === ErrorCode.MODEL_UNAVAILABLE) {
      process.stderr.write(
        '  restore the model files, or rebuild them: `visem models build` (encoders with a build recipe), ' +
          '`visem train` (projection heads)\n',
      );
    }
    process.exitCode = 1;
  });
