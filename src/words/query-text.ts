import { AppError, ErrorCode } from '../errors.js';
import { unknownWordError } from './phrase.js';
import { suggestSpellings } from './spelling.js';
import { STOP_WORDS } from './stop-words.js';

/** Why a word of a query was left out of its vector. */
export type IgnoredReason = 'STOP_WORD' | 'UNKNOWN';

export interface IgnoredWord {
  word: string;
  reason: IgnoredReason;
  /** For unknown words: vocabulary words within edit distance 2, nearer and more frequent first. */
  suggestions: string[];
}

export interface QueryWords {
  /** The vocabulary entries whose vectors make the query, in text order (multiword entries whole). */
  used: string[];
  ignored: IgnoredWord[];
}

/** Longest multiword vocabulary entry tried, in tokens. */
const MAX_NGRAM = 3;
/** How vocabularies spell multiword entries: word2vec/fastText phrases use "_", GloVe keeps hyphens. */
const JOINERS = ['_', '-', ' '] as const;

/** Every key a query could match: its tokens and their joined n-grams, for one batched store lookup. */
export function candidateKeys(tokens: readonly string[]): string[] {
  const keys = new Set(tokens);
  for (let n = 2; n <= MAX_NGRAM; n++) {
    for (let i = 0; i + n <= tokens.length; i++) {
      const gram = tokens.slice(i, i + n);
      for (const j of JOINERS) keys.add(gram.join(j));
    }
  }
  return [...keys];
}

/** Greedy longest match, left to right: "ice cream cone" → "ice_cream", "cone" when the vocabulary has it. */
function matchEntries(tokens: readonly string[], isKnown: (key: string) => boolean): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length;) {
    let matched: string | undefined;
    let length = 1;
    for (let n = Math.min(MAX_NGRAM, tokens.length - i); n >= 2 && !matched; n--) {
      const gram = tokens.slice(i, i + n);
      matched = JOINERS.map((j) => gram.join(j)).find(isKnown);
      if (matched) length = n;
    }
    out.push(matched ?? tokens[i]!);
    i += length;
  }
  return out;
}

/**
 * Which words of a tokenized query make its vector. Stop words are dropped whenever a content word is
 * known; unknown content words are dropped (with suggestions) as long as one content word is known. Only
 * when none is known does the query fail with UNKNOWN_WORD; a query of stop words alone uses the known ones.
 * The suggestion pool is asked for only when a content word is unknown.
 */
export async function queryWords(
  tokens: readonly string[],
  isKnown: (key: string) => boolean,
  suggestionPool: () => Promise<readonly string[]>,
): Promise<QueryWords> {
  if (tokens.length === 0)
    throw new AppError(ErrorCode.BAD_USER_INPUT, 'text has no words', { argument: 'text' });
  const entries = [...new Set(matchEntries(tokens, isKnown))];
  const content = entries.filter((e) => !STOP_WORDS.has(e));
  const knownContent = content.filter(isKnown);
  const pool = knownContent.length < content.length ? await suggestionPool() : [];
  if (knownContent.length === 0 && content.length > 0) throw unknownWordError(content, pool);
  const used = knownContent.length > 0 ? knownContent : entries.filter(isKnown);
  if (used.length === 0) {
    throw new AppError(ErrorCode.BAD_USER_INPUT, 'text has only stop words, none with a vector', {
      argument: 'text',
      words: entries,
    });
  }
  const ignored = entries
    .filter((e) => !used.includes(e))
    .map((word): IgnoredWord => {
      if (STOP_WORDS.has(word)) return { word, reason: 'STOP_WORD', suggestions: [] };
      return { word, reason: 'UNKNOWN', suggestions: suggestSpellings(word, pool, 5) };
    });
  return { used, ignored };
}

/** Suggestions are words: letters only (inner hyphens and apostrophes allowed), never punctuation. */
export function isSuggestable(word: string): boolean {
  return /^\p{L}+(?:['-]\p{L}+)*$/u.test(word) && !STOP_WORDS.has(word);
}
