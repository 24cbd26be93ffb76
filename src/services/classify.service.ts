import type { ImageRecord, WordScore } from './collections.js';
import type { ImageEmbeddingService } from './image-embedding.service.js';
import type { IngestService } from './ingest.service.js';
import type { VocabularyService } from './vocabulary.service.js';

export interface Classification {
  id: string;
  labels: WordScore[];
  image?: ImageRecord;
}

/** Image in, ranked label words out (zero-shot: any label in the vocabulary can win). */
export class ClassifyService {
  constructor(
    private readonly embedding: ImageEmbeddingService,
    private readonly vocabulary: VocabularyService,
    private readonly ingest: IngestService,
  ) {}

  async classify(
    bytes: Uint8Array,
    options: { limit: number; minScore?: number; store: boolean; filename: string },
  ): Promise<Classification> {
    const embedded = await this.embedding.embed(bytes);
    const labels = await this.vocabulary.nearestLabels(embedded.semantic, options.limit, options.minScore);
    if (!options.store) return { id: embedded.id, labels };
    const { image } = await this.ingest.ingestEmbedded(
      bytes,
      embedded,
      { filename: options.filename, source: 'classify' },
      labels,
    );
    return { id: embedded.id, labels, image };
  }
}
