import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors.js';
import { candidateKeys, isSuggestable, queryWords } from './query-text.js';
import { tokenize } from './tokenize.js';

const vocab = new Set(['red', 'car', 'like', 'dogs', 'cup', 'coffee', 'the', 'ice_cream', 'cone', 'zebra']);
const known = (w: string) => vocab.has(w);
const pool = () => Promise.resolve(['zebra', 'red', 'car']);
const words = (text: string) => queryWords(tokenize(text), known, pool);

describe('queryWords', () => {
  it('drops stop words, known or not, while a content word is known', async () => {
    expect(await words('a red car')).toEqual({
      used: ['red', 'car'],
      ignored: [{ word: 'a', reason: 'STOP_WORD', suggestions: [] }],
    });
    expect((await words('I like dogs')).used).toEqual(['like', 'dogs']);
    expect((await words('The cup of coffee')).used).toEqual(['cup', 'coffee']);
    // The suggestion pool (a store scroll) is read only when a content word is unknown.
    let asked = 0;
    await queryWords(tokenize('a red car'), known, () => (asked++, pool()));
    expect(asked).toBe(0);
    await queryWords(tokenize('a red carr'), known, () => (asked++, pool()));
    expect(asked).toBe(1);
  });

  it('drops unknown content words with suggestions, and fails only when no content word is known', async () => {
    const q = await words('a zebraa on the car');
    expect(q.used).toEqual(['car']);
    expect(q.ignored.find((w) => w.word === 'zebraa')).toEqual({
      word: 'zebraa',
      reason: 'UNKNOWN',
      suggestions: ['zebra'],
    });
    const err: unknown = await words('a zebraa').catch((e: unknown) => e);
    expect(isAppError(err) && err.code).toBe('UNKNOWN_WORD');
    expect(isAppError(err) && err.details).toMatchObject({
      words: ['zebraa'],
      suggestions: { zebraa: ['zebra'] },
    });
  });

  it('uses the known stop words when a query has nothing else', async () => {
    expect((await words('the')).used).toEqual(['the']);
    await expect(words('a of')).rejects.toThrow(/only stop words/);
  });

  it('matches multiword vocabulary entries, longest first', async () => {
    expect((await words('an ice cream cone')).used).toEqual(['ice_cream', 'cone']);
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
