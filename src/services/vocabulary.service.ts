import { AppError, ErrorCode, isAppError } from '../errors.js';
import { scrollPages, type VectorStore } from '../store/vector-store.js';
import { phraseVector } from '../words/phrase.js';
import { tokenize } from '../words/tokenize.js';
import { VOCABULARY, type WordScore } from './collections.js';

const LABEL_FILTER = { must: [{ key: 'label', match: true }] };

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
  private readonly textCache = new Map<string, Float32Array>();
  private suggestionWords: Promise<string[]> | undefined;

  constructor(
    private readonly store: VectorStore,
    private readonly options: VocabularyOptions,
  ) {}

  /** The vector of a word or phrase; UNKNOWN_WORD (with suggestions) names the words it does not know. */
  async textVector(text: string): Promise<Float32Array> {
    if (text.length > this.options.maxTextLength) {
      throw new AppError(
        ErrorCode.BAD_USER_INPUT,
        `text is longer than ${this.options.maxTextLength} characters`,
        {
          argument: 'text',
        },
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
    const vectors = await this.wordVectors(tokens);
    const lookup = (w: string) => vectors.get(w);
    let vector: Float32Array;
    try {
      vector = phraseVector(tokens, lookup);
    } catch (e) {
      // Suggestions need the frequent-word pool; load it only when a word is unknown.
      if (!isAppError(e) || e.code !== ErrorCode.UNKNOWN_WORD) throw e;
      vector = phraseVector(tokens, lookup, { suggestionPool: await this.suggestionPool() });
    }
    this.textCache.set(key, vector);
    if (this.textCache.size > 2000) this.textCache.delete(this.textCache.keys().next().value!);
    return vector;
  }

  /** Vectors of the words the store (or the fastText subword model) knows; unknown words are absent. */
  private async wordVectors(words: string[]): Promise<Map<string, Float32Array>> {
    const unique = [...new Set(words)];
    const points = await this.store.get(VOCABULARY, unique, { withVectors: true });
    const found = new Map<string, Float32Array>();
    for (const p of points) found.set(p.id, p.vectors!.semantic!);
    for (const w of unique) {
      const oov = found.has(w) ? undefined : this.options.outOfVocabulary?.(w);
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
        for (const p of page) words.push({ word: p.id, rank: Number(p.payload.rank ?? 0) });
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
    return hits.map((h) => ({ word: h.id, score: h.score }));
  }

  /** Words nearest to a word's vector, the word itself left out. */
  async relatedWords(word: string, limit: number): Promise<WordScore[]> {
    const vector = await this.textVector(word);
    const self = new Set(tokenize(word));
    const hits = await this.store.search(VOCABULARY, { using: 'semantic', vector, limit: limit + self.size });
    return hits
      .filter((h) => !self.has(h.id))
      .slice(0, limit)
      .map((h) => ({ word: h.id, score: h.score }));
  }

  async counts(): Promise<{ vocabularySize: number; labelCount: number }> {
    const [vocabularySize, labelCount] = await Promise.all([
      this.store.count(VOCABULARY),
      this.store.count(VOCABULARY, LABEL_FILTER),
    ]);
    return { vocabularySize, labelCount };
  }
}
