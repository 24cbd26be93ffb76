/**
 * What every bench step shares: the options from argv, the sizes of the chosen mode, the one Config
 * (validated once, from the environment the bench was started with plus the bench's overrides), the
 * environment the `visem serve` children get, the temporary data dir and the reporter.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../src/config.js';
import { Reporter } from './report.js';

export interface BenchOptions {
  quick: boolean;
  provider: 'cpu' | 'cuda';
  keep: boolean;
  /** Collection sizes of the growth table (synthetic images); `--sizes 10000,100000`. */
  sizes: number[];
}

/** Everything sized by mode: the full run takes ≈ 10 min on 2 cores before its 1M-image row, quick < 3. */
export interface Sizes {
  batches: number[];
  modelBudgetMs: number;
  ingestN: number;
  stagesN: number;
  classifyN: number;
  classifyConcN: number;
  searchN: number;
  loadS: number;
  vocabQ: number;
  efSweep: number[];
}

const QUICK: Sizes = {
  batches: [1, 4],
  modelBudgetMs: 2500,
  ingestN: 24,
  stagesN: 12,
  classifyN: 8,
  classifyConcN: 12,
  searchN: 100,
  loadS: 2,
  vocabQ: 100,
  efSweep: [],
};

const FULL: Sizes = {
  batches: [1, 2, 4, 8],
  modelBudgetMs: 6000,
  ingestN: 96,
  stagesN: 40,
  classifyN: 24,
  classifyConcN: 32,
  searchN: 300,
  loadS: 5,
  vocabQ: 200,
  efSweep: [128, 256, 512],
};

export const FULL_SIZES = [1_000, 10_000, 100_000, 1_000_000];
export const QUICK_SIZES = [1_000, 10_000];

export function parseArgs(argv: readonly string[]): BenchOptions {
  const value = (flag: string): string | undefined =>
    argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined;
  const known = new Set(['--quick', '--keep', '--provider', '--sizes']);
  for (const [i, a] of argv.entries()) {
    const isValue = i > 0 && (argv[i - 1] === '--provider' || argv[i - 1] === '--sizes');
    if (!isValue && !known.has(a)) throw new Error(`unknown bench argument ${a} (see bench/README.md)`);
  }
  const provider = value('--provider') ?? 'cpu';
  if (provider !== 'cpu' && provider !== 'cuda')
    throw new Error(`--provider must be cpu or cuda, not ${provider}`);
  const quick = argv.includes('--quick');
  const sizesArg = value('--sizes');
  const sizes = sizesArg ? sizesArg.split(',').map(Number) : quick ? QUICK_SIZES : FULL_SIZES;
  if (sizes.some((n) => !Number.isInteger(n) || n < 1) || sizes.some((n, i) => i > 0 && n <= sizes[i - 1]!)) {
    throw new Error(`--sizes must be increasing positive integers, not ${sizesArg}`);
  }
  return { quick, provider, keep: argv.includes('--keep'), sizes };
}

export interface BenchContext {
  options: BenchOptions;
  sizes: Sizes;
  /** The config the in-process steps use (DATA_DIR is the bench's temporary one). */
  config: Config;
  /** The environment of every `visem serve` child: the bench's own plus its overrides. */
  serveEnv: Record<string, string>;
  work: string;
  dataDir: string;
  /** The quick mode's copy of an imported vocabulary, made by a full run. */
  template: string;
  report: Reporter;
}

/** `env` is the environment the bench was started with: read here, once, and nowhere else. */
export function createContext(options: BenchOptions, env: NodeJS.ProcessEnv): BenchContext {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'visem-bench-'));
  const dataDir = path.join(work, 'data');
  const overrides = {
    ORT_PROVIDER: options.provider,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    DATA_DIR: dataDir,
  };
  const serveEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...env, ...overrides })) if (v !== undefined) serveEnv[k] = v;
  const config = loadConfig(serveEnv);
  if (!fs.existsSync(path.join(config.headDir, 'manifest.json'))) {
    throw new Error(`no projection head at ${config.headDir}: train one (visem train) or set HEAD=<dir>`);
  }
  return {
    options,
    sizes: options.quick ? QUICK : FULL,
    config,
    serveEnv,
    work,
    dataDir,
    template: path.resolve('.cache', 'bench', 'vocab-template'),
    report: new Reporter(options.provider),
  };
}
