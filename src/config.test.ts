import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { envSchema, loadConfig, readEnvFile } from './config.js';
import { AppError } from './errors.js';
import { packageRoot } from './paths.js';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return (e as AppError).details.problems as string[];
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('loadConfig', () => {
  it('gives the documented defaults: embedded store, localhost:4000, ./data', () => {
    const c = loadConfig({});
    expect(c.HOST).toBe('127.0.0.1');
    expect(c.PORT).toBe(4000);
    expect(c.storeBackend).toBe('embedded');
    expect(c.dataDir.endsWith('/data')).toBe(true);
    expect(c.encoderDir.endsWith('/models/efficientnet-lite2')).toBe(true);
    expect(c.fallbackModels.encoderDir.endsWith('/models/inception-v3-mixed6')).toBe(true);
    expect(c.modelsChosen).toBe(false);
  });

  it('switches to Qdrant with one setting, and flags override env', () => {
    const c = loadConfig({ QDRANT_URL: 'http://q:6333', PORT: '5000' }, { PORT: '6000' });
    expect(c.storeBackend).toBe('qdrant');
    expect(c.PORT).toBe(6000);
  });

  it('lists every bad value at once', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        MAX_FILES: '0',
        ORT_PROVIDER: 'tpu',
        QDRANT_URL: 'not a url',
        API_KEY: 'short',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    const problems = (error as AppError).details.problems as string[];
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'API_KEY',
      'MAX_FILES',
      'ORT_PROVIDER',
      'PORT',
      'QDRANT_URL',
    ]);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ API_KEY: '', QDRANT_URL: '' }).storeBackend).toBe('embedded');
  });

  it('refuses MAX_FILES above the inference capacity: such a request could never be admitted', () => {
    const problems = problemsOf(() =>
      loadConfig({ MAX_FILES: '60', INFERENCE_CONCURRENCY: '2', BATCH_SIZE: '8', INFERENCE_QUEUE: '32' }),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^MAX_FILES: 60 files per request exceeds the inference capacity of 48 images/,
    );
    expect(loadConfig({ MAX_FILES: '48' }).MAX_FILES).toBe(48);
    expect(loadConfig({ MAX_FILES: '60', INFERENCE_QUEUE: '44' }).MAX_FILES).toBe(60);
  });
});

describe('.env files', () => {
  it('reads KEY=value lines (quotes, comments, export); a missing file is no settings', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'visem-env-'));
    const file = path.join(dir, '.env');
    await writeFile(file, '# comment\nPORT=5001\nexport HOST="0.0.0.0" # trailing\nAPI_KEY=\n');
    expect(readEnvFile(file)).toEqual({ PORT: '5001', HOST: '0.0.0.0', API_KEY: '' });
    expect(readEnvFile(path.join(dir, 'absent.env'))).toEqual({});
    // The CLI's order: the file, then the environment over it, then flags over both.
    const c = loadConfig({ ...readEnvFile(file), HOST: '127.0.0.2' }, { LOG_LEVEL: 'warn' });
    expect([c.PORT, c.HOST, c.LOG_LEVEL]).toEqual([5001, '127.0.0.2', 'warn']);
    await rm(dir, { recursive: true });
  });

  it('.env.example lists every setting, commented out at its real default', async () => {
    const text = await readFile(path.join(packageRoot(), '.env.example'), 'utf8');
    const shown = new Map(
      [...text.matchAll(/^# ([A-Z][A-Z0-9_]+)=(\S*)/gm)].map((m) => [m[1]!, m[2]!] as const),
    );
    expect([...shown.keys()].sort()).toEqual(Object.keys(envSchema.shape).sort());
    // Uncommented, the file changes nothing: each shown value parses to the default.
    const defaults = loadConfig({});
    const asShown = loadConfig(Object.fromEntries(shown));
    for (const key of shown.keys())
      expect([key, asShown[key as keyof typeof asShown]]).toEqual([
        key,
        defaults[key as keyof typeof defaults],
      ]);
    // Nothing is set by copying it as it is.
    expect(readEnvFile(path.join(packageRoot(), '.env.example'))).toEqual({});
  });
});
