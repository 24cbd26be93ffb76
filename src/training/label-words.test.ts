import { describe, expect, it } from 'vitest';
import { labelWords, type LabelVocabulary } from './label-words.js';

const known = new Set(
  'hen brown face tears joy hot dog pair sunglasses quarter piece cent coin european euro tennis racket airplane boar wild candy cane treat red apple man technologist running facing right'.split(
    ' ',
  ),
);
const nouns = new Set(
  'hen face tears tear joy dog hot_dog pair sunglasses quarter piece cent coin euro tennis racket tennis_racket airplane boar candy cane candy_cane treat apple man technologist running facing right'.split(
    ' ',
  ),
);
const vocab: LabelVocabulary = { isKnown: (w) => known.has(w), isNoun: (w) => nouns.has(w) };

describe('labelWords', () => {
  it.each([
    ['A brown hen.', ['hen']],
    ['Face with Tears of Joy', ['face']],
    ['hot_dog', ['hot', 'dog']],
    ['A pair of sunglasses.', ['sunglasses']],
    ['A US 25 cent piece ($.25) called a quarter.', ['quarter']],
    ['A European coin of 1 euro (1 €).', ['coin']],
    ['A tennis racket.', ['tennis', 'racket']],
    ['Two wild boars.', ['boar']],
    ['A candy cane is a traditional Christmas treat in the United States.', ['candy', 'cane']],
    ['Red Apple', ['apple']],
    ['Man Technologist', ['technologist']],
    ['An airplane', ['airplane']],
    ['Grinning', []],
    ['man running facing right', ['man']],
  ])('%s → %j', (text, expected) => {
    expect(labelWords(text, vocab)).toEqual(expected);
  });
});
