import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { AppError } from './errors.js';

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
});
