import type { VectorStore } from '../store/vector-store.js';
import { IMAGES } from './collections.js';
import type { ImageEmbeddingService } from './image-embedding.service.js';
import type { VocabularyService } from './vocabulary.service.js';

export interface ModelDescription {
  role: 'encoder' | 'head' | 'wordVectors';
  name: string;
  dimension: number;
  provider: string;
  /** Why this model replaced the default one, when it is the fallback. */
  fallbackReason?: string;
}

export interface StatsSnapshot {
  imageCount: number;
  vocabularySize: number;
  labelCount: number;
  store: string;
  models: ModelDescription[];
}

export class StatsService {
  constructor(
    private readonly store: VectorStore,
    private readonly vocabulary: VocabularyService,
    private readonly embedding: ImageEmbeddingService,
    private readonly wordVectorsName: string,
    private readonly fallbackReason?: string,
  ) {}

  models(): ModelDescription[] {
    const { encoder, head } = this.embedding;
    return [
      {
        role: 'encoder',
        name: encoder.manifest.name,
        dimension: encoder.dimension,
        provider: encoder.provider,
        ...(this.fallbackReason ? { fallbackReason: this.fallbackReason } : {}),
      },
      { role: 'head', name: head.manifest.name, dimension: head.dimension, provider: encoder.provider },
      { role: 'wordVectors', name: this.wordVectorsName, dimension: head.dimension, provider: 'n/a' },
    ];
  }

  async snapshot(): Promise<StatsSnapshot> {
    const [imageCount, counts] = await Promise.all([this.store.count(IMAGES), this.vocabulary.counts()]);
    return { imageCount, ...counts, store: this.store.backend, models: this.models() };
  }
}
