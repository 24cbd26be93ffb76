import type { Config } from '../config.js';
import type { MediaStore } from '../files/media-store.js';
import type { ClassifyService } from './classify.service.js';
import type { ImageEmbeddingService } from './image-embedding.service.js';
import type { IngestService } from './ingest.service.js';
import type { SearchService } from './search.service.js';
import type { StatsService } from './stats.service.js';
import type { VocabularyService } from './vocabulary.service.js';

/** Everything the resolvers and the CLI call, made once at start (see bootstrap.ts). */
export interface AppServices {
  config: Config;
  files: MediaStore;
  embedding: ImageEmbeddingService;
  vocabulary: VocabularyService;
  ingest: IngestService;
  classify: ClassifyService;
  search: SearchService;
  stats: StatsService;
  close(): Promise<void>;
}
