/** One import for the vocabulary helpers: tokens, phrase vectors, spelling, label selection. */
export { tokenize, type TokenizeOptions } from './tokenize.js';
export { phraseVector, type PhraseOptions, type WordLookup } from './phrase.js';
export { boundedDamerauLevenshtein, suggestSpellings } from './spelling.js';
export {
  DEFAULT_LABEL_STOPWORDS,
  VISUAL_LEXNAMES,
  defaultWordNetDir,
  labelFilter,
  loadWordNetNouns,
  selectLabels,
  type LabelOptions,
  type WordNetOptions,
} from './labels.js';
