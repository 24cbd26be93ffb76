import { tokenize } from '../words/tokenize.js';

/**
 * Free label text ("A brown hen.", "Face with Tears of Joy", "hot_dog") → the label words a head is
 * trained towards: the head noun of the first noun phrase, joined with its modifier when the pair is a
 * WordNet compound ("hot dog", "tennis racket"). Articles, numbers and adjectives fall away because
 * only the head noun (and a compound partner) is kept. Every returned word exists in the word space.
 */
export interface LabelVocabulary {
  isKnown(word: string): boolean;
  /** WordNet noun lemma test; compounds use `_` ("hot_dog"). */
  isNoun(lemma: string): boolean;
}

// Heads that name a container or an amount: "a pair of sunglasses" is about the sunglasses.
const QUANTIFIERS = new Set(
  'pair piece pieces set bunch group slice kind type sort model picture photo photograph drawing image couple stack pile handful bit lot lots sign'.split(
    ' ',
  ),
);
// Clause boundaries: what follows is a description of the head, not part of it.
const CLAUSE_BREAK =
  /\s(?:with|without|is|are|was|for|that|which|who|in|on|at|from|to|holding|wearing|called|named|and|or)\s|[,;:—–(]| - /;
const DETERMINERS = new Set(
  'a an the this that these those some his her its their my your our one two three'.split(' '),
);

/** The singular lemma of a noun token, or undefined when it is not a noun. */
function nounLemma(token: string, vocab: LabelVocabulary): string | undefined {
  const candidates = [token];
  if (token.endsWith('ies')) candidates.push(`${token.slice(0, -3)}y`);
  if (token.endsWith('es')) candidates.push(token.slice(0, -2));
  if (token.endsWith('s') && !token.endsWith('ss')) candidates.push(token.slice(0, -1));
  if (token.endsWith('men')) candidates.push(`${token.slice(0, -3)}man`);
  return candidates.find((c) => vocab.isNoun(c) && vocab.isKnown(c));
}

function headOfPhrase(phrase: string, vocab: LabelVocabulary): string[] | undefined {
  let tokens = tokenize(phrase).filter((t) => !DETERMINERS.has(t) && !/^\d/.test(t));
  // A participle after a noun starts a description: "man running facing right" is about the man.
  const cut = tokens.findIndex(
    (t, i) => i > 0 && t.endsWith('ing') && nounLemma(tokens[i - 1]!, vocab) !== undefined,
  );
  if (cut > 0) tokens = tokens.slice(0, cut);
  for (let i = tokens.length - 1; i >= 0; i--) {
    const head = nounLemma(tokens[i]!, vocab);
    if (!head) continue;
    const prev = tokens[i - 1];
    if (prev && vocab.isKnown(prev) && vocab.isNoun(`${prev}_${head}`)) return [prev, head];
    return [head];
  }
  return undefined;
}

/** Label words for one label text, or [] when it holds no known noun. */
export function labelWords(text: string, vocab: LabelVocabulary): string[] {
  let s = text
    .normalize('NFKC')
    .replace(/[_]+/g, ' ')
    .replace(/\([^)]*\)/g, ' ')
    .replace(/["“”‘’]/g, ' ')
    .toLowerCase()
    .trim();
  s = s.split(/[.!?](?:\s|$)/)[0] ?? s;
  const called = /\b(?:called|named|known as)\s+(?:an?\s+|the\s+)?(.+)$/.exec(s);
  const main = called?.[1] ?? s;
  const clause = main.split(CLAUSE_BREAK)[0] ?? main;
  // "X of Y": the head is X, unless X only counts or depicts Y.
  const [left, ...rest] = clause.split(/\sof\s/);
  const leftHead = left ? headOfPhrase(left, vocab) : undefined;
  if (rest.length > 0 && (!leftHead || QUANTIFIERS.has(leftHead.at(-1)!))) {
    const right = headOfPhrase(rest.join(' of '), vocab);
    if (right) return right;
  }
  return leftHead ?? headOfPhrase(main, vocab) ?? [];
}
