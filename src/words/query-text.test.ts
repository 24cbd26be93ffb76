import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors.js';
import { candidateKeys, isSuggestable, queryWords } from './query-text.js';
import { tokenize } from './tokenize.js';

const vocab = new Set(['red', 'car', 'like', 'dogs', 'cup', 'coffee', 'the', 'ice_cream', 'cone', 'zebra']);
const known = (w: string) => vocab.has(w);
const pool = () => ['zebra', 'red', 'car'];
const words = (text: string) => queryWords(tokenize(text), known, pool);

describe('queryWords', () => {
  it('drops stop words, known or not, while a content word is known', () => {
    expect(words('a red car')).toEqual({
      used: ['red', 'car'],
      ignored: [{ word: 'a', reason: 'STOP_WORD', suggestions: [] }],
    });
    expect(words('I like dogs').used).toEqual(['like', 'dogs']);
    expect(words('The cup of coffee').used).toEqual(['cup', 'coffee']);
  });

  it('drops unknown content words with suggestions, and fails only when no content word is known', () => {
    const q = words('a zebraa on the car');
    expect(q.used).toEqual(['car']);
    expect(q.ignored.find((w) => w.word === 'zebraa')).toEqual({
      word: 'zebraa',
      reason: 'UNKNOWN',
      suggestions: ['zebra'],
    });
    let err: unknown;
    try {
      words('a zebraa');
    } catch (e) {
      err = e;
    }
    expect(isAppError(err) && err.code).toBe('UNKNOWN_WORD');
    expect(isAppError(err) && err.details).toMatchObject({
      words: ['zebraa'],
      suggestions: { zebraa: ['zebra'] },
    });
  });

  it('uses the known stop words when a query has nothing else', () => {
    expect(words('the').used).toEqual(['the']);
    expect(() => words('a of')).toThrow(/only stop words/);
  });

  it('matches multiword vocabulary entries, longest first', () => {
    expect(words('an ice cream cone').used).toEqual(['ice_cream', 'cone']);
    expect(candidateKeys(['ice', 'cream'])).toEqual(
      expect.arrayContaining(['ice', 'cream', 'ice_cream', 'ice-cream', 'ice cream']),
    );
  });

  it('suggests only words', () => {
    expect(isSuggestable('zebra')).toBe(true);
    expect(isSuggestable("o'clock")).toBe(true);
    expect(isSuggestable(',')).toBe(false);
    expect(isSuggestable('as')).toBe(false);
    expect(isSuggestable('1990')).toBe(false);
  });
});
