import { AppError, ErrorCode } from '../errors.js';
import { scrollPages, type VectorStore } from '../store/vector-store.js';
import { phraseVector } from '../words/phrase.js';
import { candidateKeys, isSuggestable, queryWords, type IgnoredWord } from '../words/query-text.js';
import { tokenize } from '../words/tokenize.js';
import { clampCosine } from '../vectors.js';
import { VOCABULARY, type WordScore } from './collections.js';

const LABEL_FILTER = { must: [{ key: 'label', match: true }] };

export interface TextQuery {
  /** Unit vector: the mean of the used words' unit vectors. */
  vector: Float32Array;
  usedWords: string[];
  ignoredWords: IgnoredWord[];
}

export interface VocabularyOptions {
  maxTextLength: number;
  /** Words kept in memory for spelling suggestions (the most frequent ones). */
  suggestionPool?: number;
  /** Vectors for words missing from the store (fastText subwords), when the configured vectors can. */
  outOfVocabulary?: (word: string) => Float32Array | undefined;
}

/**
 * Words in and out of the vector space: a word's or phrase's vector (mean of its words, normalised), the
 * nearest label words to a vector (tags), and words near a word.
 */
export class VocabularyService {
  private readonly textCache = new Map<string, TextQuery>();
  private suggestionWords: Promise<string[]> | undefined;

  constructor(
    private readonly store: VectorStore,
    private readonly options: VocabularyOptions,
  ) {}

  /**
   * A word or phrase as a query: the vector (mean of its used words, normalised) and which words made it.
   * Stop words and unknown words are dropped while one content word is known; otherwise UNKNOWN_WORD,
   * with spelling suggestions.
   */
  async textQuery(text: string): Promise<TextQuery> {
    if (text.length > this.options.maxTextLength) {
      throw new AppError(
        ErrorCode.BAD_USER_INPUT,
        `text is longer than ${this.options.maxTextLength} characters`,
        { argument: 'text' },
      );
    }
    const tokens = tokenize(text);
    if (tokens.length === 0)
      throw new AppError(ErrorCode.BAD_USER_INPUT, 'text has no words', { argument: 'text' });
    const key = tokens.join(' ');
    const cached = this.textCache.get(key);
    if (cached) {
      // Refresh recency: Map keeps insertion order, so re-insert to make this the newest entry.
      this.textCache.delete(key);
      this.textCache.set(key, cached);
      return cached;
    }
    // Hyphenated compounds ("t-shirt") are looked up whole as well as split.
    const whole = tokenize(text, { isKnown: () => true });
    const vectors = await this.wordVectors([...candidateKeys(tokens), ...candidateKeys(whole)]);
    const known = (w: string) => vectors.has(w);
    const words = await queryWords(tokenize(text, { isKnown: known }), known, () => this.suggestionPool());
    const query: TextQuery = {
      vector: phraseVector(words.used, (w) => vectors.get(w)),
      usedWords: words.used,
      ignoredWords: words.ignored,
    };
    this.textCache.set(key, query);
    if (this.textCache.size > 2000) this.textCache.delete(this.textCache.keys().next().value!);
    return query;
  }

  /** Vectors of the keys the store (or the fastText subword model) knows; unknown keys are absent. */
  private async wordVectors(keys: string[]): Promise<Map<string, Float32Array>> {
    const unique = [...new Set(keys)];
    const points = await this.store.get(VOCABULARY, unique, { withVectors: true });
    const found = new Map<string, Float32Array>();
    for (const p of points) found.set(p.id, p.vectors!.semantic!);
    // Subword vectors exist for any single word; multiword keys must be in the store itself.
    for (const w of unique) {
      const oov = found.has(w) || /[ _]/.test(w) ? undefined : this.options.outOfVocabulary?.(w);
      if (oov) found.set(w, oov);
    }
    return found;
  }

  /** Most frequent words, for suggestions; read once from the store. */
  private suggestionPool(): Promise<string[]> {
    this.suggestionWords ??= (async () => {
      const limit = this.options.suggestionPool ?? 50_000;
      const filter = { must: [{ key: 'rank', range: { lt: limit } }] };
      const words: { word: string; rank: number }[] = [];
      for await (const page of scrollPages(this.store, VOCABULARY, { limit: 2000, filter })) {
        for (const p of page)
          if (isSuggestable(p.id)) words.push({ word: p.id, rank: Number(p.payload.rank ?? 0) });
      }
      return words.sort((a, b) => a.rank - b.rank).map((w) => w.word);
    })();
    this.suggestionWords.catch(() => (this.suggestionWords = undefined));
    return this.suggestionWords;
  }

  /** The label words nearest to a vector: an image's tags. */
  async nearestLabels(vector: Float32Array, limit: number, minScore?: number): Promise<WordScore[]> {
    const hits = await this.store.search(VOCABULARY, {
      using: 'semantic',
      vector,
      limit,
      filter: LABEL_FILTER,
      ...(minScore !== undefined ? { scoreThreshold: minScore } : {}),
    });
    return hits.map((h) => ({ word: h.id, score: clampCosine(h.score) }));
  }

  /** Words nearest to a word's or phrase's vector, the query's own words left out. */
  async relatedWords(word: string, limit: number): Promise<WordScore[]> {
    const query = await this.textQuery(word);
    const self = new Set(query.usedWords);
    const hits = await this.store.search(VOCABULARY, {
      using: 'semantic',
      vector: query.vector,
      limit: limit + self.size,
    });
    return hits
      .filter((h) => !self.has(h.id))
      .slice(0, limit)
      .map((h) => ({ word: h.id, score: clampCosine(h.score) }));
  }

  async counts(): Promise<{ vocabularySize: number; labelCount: number }> {
    const [vocabularySize, labelCount] = await Promise.all([
      this.store.count(VOCABULARY),
      this.store.count(VOCABULARY, LABEL_FILTER),
    ]);
    return { vocabularySize, labelCount };
  }
}
