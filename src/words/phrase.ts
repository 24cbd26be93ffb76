import { AppError, ErrorCode } from '../errors.js';
import { normalize, normalizeInPlace } from '../vectors.js';
import { suggestSpellings } from './spelling.js';

/** Word → raw vector, or undefined when the word is unknown. */
export type WordLookup = (word: string) => Float32Array | undefined;

export interface PhraseOptions {
  /** Frequency-ordered words to draw spelling suggestions from for unknown tokens. */
  suggestionPool?: readonly string[];
}

/**
 * A phrase's vector: the mean of its words' unit vectors, renormalised. Normalising each word first
 * stops a frequent word with a long vector from dominating. Unknown tokens raise UNKNOWN_WORD with
 * `details = { words, suggestions: { [word]: string[] } }`.
 */
export function phraseVector(
  tokens: readonly string[],
  lookup: WordLookup,
  options: PhraseOptions = {},
): Float32Array {
  if (tokens.length === 0)
    throw new AppError(ErrorCode.BAD_USER_INPUT, 'text has no words', { argument: 'text' });
  let sum: Float32Array | undefined;
  const unknown: string[] = [];
  for (const token of tokens) {
    const v = lookup(token);
    if (!v) {
      if (!unknown.includes(token)) unknown.push(token);
      continue;
    }
    if (sum && sum.length !== v.length) {
      throw new AppError(
        ErrorCode.DIMENSION_MISMATCH,
        `word vectors differ in dimension (${sum.length} vs ${v.length})`,
      );
    }
    const unit = normalize(v);
    if (!sum) sum = unit;
    else for (let i = 0; i < sum.length; i++) sum[i]! += unit[i]!;
  }
  if (unknown.length > 0) throw unknownWordError(unknown, options.suggestionPool ?? []);
  // The mean and the sum have the same direction, so normalising the sum is enough.
  return normalizeInPlace(sum!);
}

/** UNKNOWN_WORD naming each word, with spelling suggestions from a frequency-ordered pool. */
export function unknownWordError(words: readonly string[], pool: readonly string[]): AppError {
  const suggestions = Object.fromEntries(words.map((w) => [w, suggestSpellings(w, pool, 5)]));
  const hint = words
    .map((w) => (suggestions[w]!.length ? `${w} (did you mean: ${suggestions[w]!.join(', ')}?)` : w))
    .join('; ');
  return new AppError(ErrorCode.UNKNOWN_WORD, `unknown word: ${hint}`, { words: [...words], suggestions });
}
