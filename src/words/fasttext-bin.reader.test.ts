import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../errors.js';
import { loadFastTextBin, type FastTextModel } from './fasttext-bin.reader.js';
import { fastTextHash, subwordStrings } from './fasttext-subwords.js';
import { openWordVectors } from './open-word-vectors.js';
import { makeCorpus, makeVocabulary } from './test-corpus.js';
import { openTextVectors } from './text-vectors.reader.js';
import type { WordVectorEntry } from './types.js';

const OOV = [
  'zzqx',
  'kalomi',
  'cafés',
  'übertaka',
  '東京タワー',
  'x',
  'naïveté',
  'ka-lo',
  'RUTA',
  'shoderpelvin',
];

let dir: string;

function fasttext(args: string[], input?: string): string {
  return execFileSync('fasttext', args, { cwd: dir, input, encoding: 'utf8', maxBuffer: 64 << 20 });
}

/** Parses `word v1 … vd` lines as printed by fastText (5 significant digits). */
function parsePrinted(text: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 2) continue;
    out.set(parts[0]!, parts.slice(1).map(Number));
  }
  return out;
}

/** Within 1e-4 absolutely and, since fastText prints 5 significant digits, within 1e-4 relatively. */
function expectClose(ours: Float32Array, printed: number[], label: string): void {
  expect(ours.length, label).toBe(printed.length);
  for (let i = 0; i < ours.length; i++) {
    const diff = Math.abs(ours[i]! - printed[i]!);
    if (diff > 1e-4 || diff > 1e-4 * Math.abs(printed[i]!) + 1e-12) {
      throw new Error(`${label}[${i}]: ours ${ours[i]} vs fastText ${printed[i]}`);
    }
  }
}

function train(command: string, name: string, extra: string[]): void {
  const base = [
    command,
    '-input',
    'corpus.txt',
    '-output',
    name,
    '-dim',
    '16',
    '-epoch',
    '1',
    '-minCount',
    '1',
  ];
  fasttext([...base, '-thread', '1', '-verbose', '0', ...extra]);
}

beforeAll(() => {
  const probe = spawnSync('fasttext', [], { encoding: 'utf8' });
  if (probe.error) {
    throw new Error(
      `the fastText CLI is required for these tests: apt-get install fasttext (${probe.error.message})`,
    );
  }
  dir = mkdtempSync(join(tmpdir(), 'visem-fasttext-'));
  const vocabulary = makeVocabulary(300);
  writeFileSync(join(dir, 'corpus.txt'), makeCorpus(vocabulary, 400, 10));
  train('skipgram', 'sg', ['-minn', '2', '-maxn', '4', '-bucket', '20000']);
  train('cbow', 'cbow', ['-minn', '3', '-maxn', '6', '-bucket', '5000', '-lr', '0.5']);
  train('skipgram', 'plain', ['-maxn', '0']);
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.each(['sg', 'cbow', 'plain'])('fastText .bin reader (%s model)', (name) => {
  let model: FastTextModel;
  let printed: Map<string, number[]>;

  beforeAll(async () => {
    const t0 = performance.now();
    model = await loadFastTextBin(join(dir, `${name}.bin`));
    console.log(`[fasttext] ${name}.bin read in ${(performance.now() - t0).toFixed(1)} ms`);
    const words = [...model.words, ...OOV];
    printed = parsePrinted(fasttext(['print-word-vectors', `${name}.bin`], words.join('\n') + '\n'));
  });

  it('reads the header and dictionary', () => {
    expect(model.version).toBe(12);
    expect(model.dimension).toBe(16);
    expect(model.words).toContain('</s>'); // EOS counts once per line, so it is a frequent word
    expect(model.words.length).toBe(model.nwords);
    expect(model.getWordId('zzqx')).toBe(-1);
  });

  it('matches print-word-vectors for every in-vocabulary word', () => {
    for (const word of model.words) expectClose(model.getWordVector(word), printed.get(word)!, word);
  });

  it('matches print-word-vectors for out-of-vocabulary words (character n-grams)', () => {
    for (const word of OOV) {
      const vector = model.getWordVector(word);
      expectClose(vector, printed.get(word)!, word);
      if (name === 'plain') expect(vector.every((x) => x === 0)).toBe(true);
    }
    if (name !== 'plain') expect(model.getWordVector('cafés').some((x) => x !== 0)).toBe(true);
  });

  it('iterates in-vocabulary words with ranks equal to the .vec file', async () => {
    const vec = await openTextVectors(join(dir, `${name}.vec`));
    expect(vec.format).toBe('word2vec-text');
    expect(vec.total).toBe(model.nwords);
    expect(vec.dimension).toBe(model.dimension);
    const fromBin = new Map<string, WordVectorEntry>();
    for await (const e of model) fromBin.set(e.word, e);
    let n = 0;
    for await (const e of vec) {
      const b = fromBin.get(e.word)!;
      expect(b.rank, e.word).toBe(e.rank);
      expectClose(b.vector, Array.from(e.vector), `${e.word} (.vec)`);
      n++;
    }
    expect(n).toBe(model.nwords);
  });

  it('with VOCAB_LIMIT yields only the most frequent words, yet still knows every word', async () => {
    const opened = await openWordVectors(join(dir, `${name}.bin`), { limit: 25 });
    const entries: WordVectorEntry[] = [];
    for await (const e of opened.reader) entries.push(e);
    expect(opened.reader.total).toBe(25);
    expect(entries.map((e) => e.word)).toEqual(model.words.slice(0, 25));
    const rare = model.words.at(-1)!;
    expect(Array.from(opened.outOfVocabulary!(rare)!)).toEqual(Array.from(model.getWordVector(rare)));
    (opened.reader as FastTextModel).close();
  });
});

describe('fastText details', () => {
  it('hashes with fastText FNV-1a, sign-extending bytes ≥ 0x80', () => {
    expect(fastTextHash(Buffer.from(''))).toBe(2166136261);
    expect(fastTextHash(Buffer.from('a'))).toBe(0xe40c292c); // plain FNV-1a for ASCII
    // Plain FNV-1a of "é" (c3 a9) would be 0x1f0fcb61 ... the int8 quirk changes it:
    expect(fastTextHash(Buffer.from('é'))).not.toBe(plainFnv1a(Buffer.from('é')));
  });

  it('builds n-grams over <word> by code point, skipping 1-grams at the edges', () => {
    expect(subwordStrings('ab', { minn: 1, maxn: 2 })).toEqual(['<a', 'a', 'ab', 'b', 'b>']);
    expect(subwordStrings('né', { minn: 2, maxn: 2 })).toEqual(['<n', 'né', 'é>']);
  });

  it('refuses quantized .ftz models with a clear error', async () => {
    const lines = makeCorpus(makeVocabulary(300), 200, 8).split('\n').filter(Boolean);
    writeFileSync(join(dir, 'sup.txt'), lines.map((l, i) => `__label__${i % 3} ${l}`).join('\n') + '\n');
    fasttext([
      'supervised',
      '-input',
      'sup.txt',
      '-output',
      'sup',
      '-dim',
      '8',
      '-epoch',
      '1',
      '-minCount',
      '1',
      '-minn',
      '2',
      '-maxn',
      '3',
      '-bucket',
      '1000',
      '-verbose',
      '0',
    ]);
    fasttext(['quantize', '-input', 'sup.txt', '-output', 'sup', '-verbose', '0']);
    const err = await loadFastTextBin(join(dir, 'sup.ftz')).catch((e: unknown) => e);
    expect(isAppError(err) && err.message).toMatch(/quantized.*not supported/);
    const sup = await loadFastTextBin(join(dir, 'sup.bin'));
    expect(sup.args.model).toBe(3);
    expect(sup.entries.some((e) => e.type === 'label')).toBe(true);
  });

  it('rejects files that are not fastText models', async () => {
    writeFileSync(join(dir, 'junk.bin'), Buffer.alloc(64, 7));
    const err = await loadFastTextBin(join(dir, 'junk.bin')).catch((e: unknown) => e);
    expect(isAppError(err) && err.message).toMatch(/bad magic/);
  });
});

function plainFnv1a(bytes: Uint8Array): number {
  let h = 2166136261;
  for (const b of bytes) h = Math.imul((h ^ b) >>> 0, 16777619) >>> 0;
  return h;
}
