import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { AppError, ErrorCode } from './errors.js';

/**
 * The one configuration object. Parsed and validated once, at start, from a `.env` file, the environment
 * and CLI flags (flags win over the environment, the environment over the file); every bad value is
 * listed in one error. Nothing else reads process.env.
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);

/** The default pipeline, and the one used when the default cannot be built (no pip or no index). */
export const DEFAULT_MODELS = { encoder: 'efficientnet-lite2', head: 'head-efficientnet-lite2' } as const;
export const FALLBACK_MODELS = { encoder: 'inception-v3-mixed6', head: 'head-inception-v3-mixed6' } as const;

const cutOff = z.union([z.enum(['calibrated', 'none']), z.coerce.number().min(-1).max(1)]);

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(4000),
  DATA_DIR: z.string().min(1).default('./data'),
  /** Stored copies and thumbnails; a volume shared by every API replica when there are several. */
  MEDIA_DIR: z.string().min(1).optional(),
  MODELS_DIR: z.string().min(1).default('./models'),
  ENCODER: z.string().min(1).default(DEFAULT_MODELS.encoder),
  HEAD: z.string().min(1).default(DEFAULT_MODELS.head),
  /** `glove-wink-100d` (npm package) or a path to a .vec / .bin / .txt / wink .json file. */
  WORD_VECTORS: z.string().min(1).default('glove-wink-100d'),
  /** Label vocabulary: WordNet nouns among the N most frequent words. */
  LABELS_TOP_N: int(100, 5_000_000).default(40_000),
  /** Import at most this many words (0 = all). */
  VOCAB_LIMIT: int(0, 50_000_000).default(0),
  ORT_PROVIDER: z.enum(['auto', 'cpu', 'cuda']).default('auto'),
  ORT_THREADS: int(0, 256).default(0),
  /**
   * Embedded store: a named vector whose ANN index covers more than this many MB of f32 vectors keeps
   * only the points newer than the index in memory and re-scores candidates from disk (0: always).
   */
  EMBEDDED_RESIDENT_VECTOR_MB: int(0, 1_000_000).default(1024),
  QDRANT_URL: z.string().url().optional(),
  QDRANT_API_KEY: z.string().optional(),
  QDRANT_TIMEOUT_MS: int(100, 600_000).default(10_000),
  QDRANT_SHARDS: int(1, 1024).optional(),
  QDRANT_REPLICATION_FACTOR: int(1, 16).optional(),
  QDRANT_WRITE_CONSISTENCY: int(1, 16).optional(),
  /** Prepended to every collection name, so several deployments can share one Qdrant. */
  QDRANT_COLLECTION_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{0,48}$/, 'letters, digits, _ and - only (at most 48)')
    .default(''),
  MAX_UPLOAD_BYTES: int(1024, 1024 ** 3).default(25 * 1024 * 1024),
  MAX_FILES: int(1, 1000).default(16),
  MAX_PIXELS: int(1, 1_000_000_000).default(40_000_000),
  MAX_SIDE: int(16, 100_000).default(12_000),
  MAX_PAGES: int(1, 100_000).default(500),
  MAX_TEXT_LENGTH: int(1, 100_000).default(200),
  MAX_QUERY_DEPTH: int(2, 100).default(10),
  MAX_ALIASES: int(1, 10_000).default(30),
  /** Images decoded + encoded at once, and requests allowed to wait for a slot; beyond that SERVER_BUSY. */
  INFERENCE_CONCURRENCY: int(1, 64).default(2),
  INFERENCE_QUEUE: int(0, 10_000).default(32),
  BATCH_SIZE: int(1, 256).default(8),
  REQUEST_TIMEOUT_MS: int(1000, 3_600_000).default(120_000),
  THUMBNAIL_SIZE: int(32, 2048).default(256),
  /**
   * Default cut-off of searchImages (cosine): `calibrated` (the pipeline's relevance.json), `none`, or a
   * number in [-1, 1]. A query's own `minScore` always wins.
   */
  SEARCH_MIN_SCORE: cutOff.default('calibrated'),
  /** The same for similarImages and searchByImage (visual cosine). */
  SIMILAR_MIN_SCORE: cutOff.default('calibrated'),
  /** When set, mutations need `Authorization: Bearer <key>` (or `x-api-key`). */
  API_KEY: z.string().min(8).optional(),
  /** Also require the API key for queries. */
  API_KEY_FOR_QUERIES: bool.default('false'),
  /** Comma-separated origins allowed by CORS; empty = same origin only. `*` allows any. */
  CORS_ORIGINS: list.default(''),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.infer<typeof envSchema>;

/** Images the inference queue admits at once: one request needing more can never be served. */
export function inferenceCapacity(e: Pick<Env, 'INFERENCE_CONCURRENCY' | 'BATCH_SIZE' | 'INFERENCE_QUEUE'>) {
  return e.INFERENCE_CONCURRENCY * e.BATCH_SIZE + e.INFERENCE_QUEUE;
}

/** Settings that are each valid but cannot work together. */
function crossProblems(e: Env): string[] {
  const capacity = inferenceCapacity(e);
  return e.MAX_FILES > capacity
    ? [
        `MAX_FILES: ${e.MAX_FILES} files per request exceeds the inference capacity of ${capacity} images ` +
          `(INFERENCE_CONCURRENCY × BATCH_SIZE + INFERENCE_QUEUE = ${e.INFERENCE_CONCURRENCY} × ${e.BATCH_SIZE} + ` +
          `${e.INFERENCE_QUEUE}); such a request would always get SERVER_BUSY`,
      ]
    : [];
}

/**
 * The variables of a `.env` file (Node's own parser: `KEY=value`, quotes, `#` comments, `export`).
 * No file is no variables; an unreadable one is a configuration error.
 */
export function readEnvFile(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new AppError(ErrorCode.CONFIG_INVALID, `cannot read ${file}: ${(e as Error).message}`);
  }
  return parseEnv(text) as Record<string, string>;
}

export interface Config extends Env {
  dataDir: string;
  /** MEDIA_DIR, else DATA_DIR/images. */
  mediaDir: string;
  encoderDir: string;
  headDir: string;
  production: boolean;
  storeBackend: 'embedded' | 'qdrant';
  /** The nsfwjs pipeline: used instead of the default when neither ENCODER nor HEAD was chosen and the
   * default cannot be built, and the baseline of `visem eval --baseline`. */
  fallbackModels: { encoderDir: string; headDir: string };
  /** Whether ENCODER or HEAD was set: then no fallback is taken. */
  modelsChosen: boolean;
}

/** Parses env (+ flag overrides, same names). Throws CONFIG_INVALID listing every bad value. */
export function loadConfig(
  env: Record<string, string | undefined>,
  overrides: Record<string, unknown> = {},
): Config {
  const input: Record<string, unknown> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = overrides[key] ?? env[key];
    // Treat empty strings as unset so `FOO=` in a .env file means "default".
    if (value !== undefined && value !== '') input[key] = value;
  }
  const parsed = envSchema.safeParse(input);
  const problems = parsed.success
    ? crossProblems(parsed.data)
    : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  if (!parsed.success || problems.length > 0) {
    throw new AppError(ErrorCode.CONFIG_INVALID, `invalid configuration:\n  - ${problems.join('\n  - ')}`, {
      problems,
    });
  }
  const e = parsed.data;
  const modelsDir = path.resolve(e.MODELS_DIR);
  const modelDir = (name: string) => (path.isAbsolute(name) ? name : path.join(modelsDir, name));
  return {
    ...e,
    dataDir: path.resolve(e.DATA_DIR),
    mediaDir: path.resolve(e.MEDIA_DIR ?? path.join(e.DATA_DIR, 'images')),
    encoderDir: modelDir(e.ENCODER),
    headDir: modelDir(e.HEAD),
    production: e.NODE_ENV === 'production',
    storeBackend: e.QDRANT_URL ? 'qdrant' : 'embedded',
    fallbackModels: {
      encoderDir: modelDir(FALLBACK_MODELS.encoder),
      headDir: modelDir(FALLBACK_MODELS.head),
    },
    modelsChosen: input.ENCODER !== undefined || input.HEAD !== undefined,
  };
}
