import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../errors.js';
import { openTextVectors } from './text-vectors.reader.js';
import type { WordVectorEntry } from './types.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'visem-textvec-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function readAll(path: string, chunkSize?: number, limit?: number) {
  const progress: number[] = [];
  const reader = await openTextVectors(path, { chunkSize, limit, onProgress: (done) => progress.push(done) });
  const entries: WordVectorEntry[] = [];
  for await (const e of reader) entries.push(e);
  return { reader, entries, progress };
}

describe('text vector reader', () => {
  it('reads fastText/word2vec .vec with a "count dim" header and trailing spaces', async () => {
    const path = join(dir, 'a.vec');
    writeFileSync(path, '3 4\nthe 0.1 -0.2 3e-2 4 \ncafé 1 2 3 4 \n</s> -1.5 0 0 1E+1 \n');
    const { reader, entries, progress } = await readAll(path, 8);
    expect(reader.format).toBe('word2vec-text');
    expect(reader.total).toBe(3);
    expect(reader.dimension).toBe(4);
    expect(entries.map((e) => [e.word, e.rank])).toEqual([
      ['the', 0],
      ['café', 1],
      ['</s>', 2],
    ]);
    expect(Array.from(entries[0]!.vector)).toEqual(Array.from(Float32Array.of(0.1, -0.2, 0.03, 4)));
    expect(Array.from(entries[2]!.vector)).toEqual([-1.5, 0, 0, 10]);
    expect(progress.at(-1)).toBe(
      Buffer.byteLength('3 4\nthe 0.1 -0.2 3e-2 4 \ncafé 1 2 3 4 \n</s> -1.5 0 0 1E+1 \n'),
    );
  });

  it('reads GloVe text without a header, CRLF, a last line without newline, and words with spaces', async () => {
    const path = join(dir, 'glove.txt');
    writeFileSync(path, 'the 0.5 0.25 0.125\r\n, 1 2 3\r\n\r\nnew york 7 8 9');
    const { reader, entries } = await readAll(path, 5);
    expect(reader.format).toBe('glove-text');
    expect(reader.total).toBeUndefined();
    expect(reader.dimension).toBe(3);
    expect(entries.map((e) => e.word)).toEqual(['the', ',', 'new york']);
    expect(entries.map((e) => e.rank)).toEqual([0, 1, 2]);
    expect(Array.from(entries[0]!.vector)).toEqual([0.5, 0.25, 0.125]);
  });

  it('stops at the limit', async () => {
    const path = join(dir, 'many.txt');
    writeFileSync(path, Array.from({ length: 100 }, (_, i) => `w${i} ${i} ${-i}`).join('\n'));
    const { entries } = await readAll(path, 16, 10);
    expect(entries.map((e) => e.word)).toEqual(Array.from({ length: 10 }, (_, i) => `w${i}`));
  });

  it('parses numbers exactly like parseFloat', async () => {
    const values = [
      '-0.038194',
      '2.95153011',
      '1e-7',
      '-3.4028e38',
      '0.000001234567',
      '123456789.123456789',
      '-0',
    ];
    const path = join(dir, 'numbers.txt');
    writeFileSync(path, `x ${values.join(' ')}\n`);
    const { entries } = await readAll(path);
    expect(Array.from(entries[0]!.vector)).toEqual(Array.from(Float32Array.from(values.map(Number))));
  });

  it('reports a short line with its line number', async () => {
    const path = join(dir, 'bad.vec');
    writeFileSync(path, '2 3\na 1 2 3\nb 1 2\n');
    const err = await readAll(path).catch((e: unknown) => e);
    expect(isAppError(err) && err.message).toMatch(/bad\.vec:3: expected a word and 3 numbers/);
  });
});
