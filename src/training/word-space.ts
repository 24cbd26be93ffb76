import { normalize } from '../vectors.js';
import { FastTextModel } from '../words/fasttext-bin.reader.js';
import { labelFilter, loadWordNetNouns } from '../words/labels.js';
import { DEFAULT_WORD_VECTORS, openWordVectors, wordVectorsFile } from '../words/open-word-vectors.js';
import { phraseVector } from '../words/phrase.js';

export { DEFAULT_WORD_VECTORS };

/** The word-vector space a head is trained into, plus the label vocabulary tags are drawn from. */
export interface WordSpace {
  name: string;
  dimension: number;
  /** Unit vector of a known word. */
  lookup(word: string): Float32Array | undefined;
  /** Unit vector of a label (space-separated words → mean of unit vectors, renormalised). */
  labelVector(label: string): Float32Array | undefined;
  /** Every known word, most frequent first. */
  wordsByFrequency: readonly string[];
  /** WordNet noun lemmas (multiword lemmas joined with `_`). */
  nouns: ReadonlySet<string>;
  /** Tag vocabulary: WordNet nouns among the `topN` most frequent words, minus stopwords. */
  labels: readonly string[];
}

export function defaultGlovePath(): string {
  return wordVectorsFile(DEFAULT_WORD_VECTORS);
}

/** Which word vectors to load: the app's WORD_VECTORS, LABELS_TOP_N and VOCAB_LIMIT settings. */
export interface WordSpaceOptions {
  /** `glove-wink-100d` or a vector file (fastText .bin/.vec, word2vec/GloVe text, wink JSON); default glove-wink-100d. */
  wordVectors?: string;
  /** Label vocabulary size before filtering; default 40000 (the app's LABELS_TOP_N default). */
  topN?: number;
  /** Read at most this many words, as `vocab import` does with VOCAB_LIMIT; default all. */
  limit?: number;
  onProgress?: (done: number, total: number | undefined) => void;
}

/**
 * Reads the configured word vectors through the same reader and label test as `vocab import`, so a head
 * trained here has the dimension and name the server's vocabulary has, and evaluation ranks against the
 * labels the server tags with. Holds every word in memory as a unit vector (GloVe 100-d: ~140 MB).
 */
export async function loadWordSpace(options: WordSpaceOptions = {}): Promise<WordSpace> {
  const opened = await openWordVectors(options.wordVectors ?? DEFAULT_WORD_VECTORS, {
    ...(options.limit ? { limit: options.limit } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  // Head-noun detection wants every noun lemma ("pepper" is mostly a verb in SemCor); the tag vocabulary
  // uses the app's default filters so evaluation ranks against the same labels the server tags with.
  const nouns = await loadWordNetNouns(undefined, { excludeProperNouns: false, minNounShare: 0 });
  const isLabel = labelFilter(await loadWordNetNouns(), { topN: options.topN ?? 40_000 });
  const vectors = new Map<string, Float32Array>();
  const words: string[] = [];
  const labels: string[] = [];
  try {
    for await (const entry of opened.reader) {
      if (isLabel(entry.word, entry.rank)) labels.push(entry.word);
      if (vectors.has(entry.word)) continue;
      vectors.set(entry.word, normalize(entry.vector));
      words.push(entry.word);
    }
  } finally {
    // A large .bin reads its rows from an open file.
    if (opened.reader instanceof FastTextModel) opened.reader.close();
  }
  return makeWordSpace(opened.name, vectors, words, nouns, labels);
}

/** A WordSpace over in-memory vectors (tests build small ones directly). */
export function makeWordSpace(
  name: string,
  vectors: ReadonlyMap<string, Float32Array>,
  wordsByFrequency: readonly string[],
  nouns: ReadonlySet<string>,
  labels: readonly string[],
): WordSpace {
  const lookup = (w: string) => vectors.get(w);
  const dimension = vectors.values().next().value?.length ?? 0;
  return {
    name,
    dimension,
    lookup,
    labelVector: (label) => {
      const tokens = label.split(' ').filter(Boolean);
      if (tokens.length === 0 || tokens.some((t) => !vectors.has(t))) return undefined;
      return tokens.length === 1 ? lookup(tokens[0]!) : phraseVector(tokens, lookup);
    },
    wordsByFrequency,
    nouns,
    labels,
  };
}
