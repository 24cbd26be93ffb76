import path from 'node:path';
import { inferenceCapacity, type Config } from './config.js';
import { AppError, ErrorCode } from './errors.js';
import { LocalMediaStore } from './files/media-store.js';
import type { Logger } from './log.js';
import { ImageDecoder } from './models/image-decoder.js';
import { ImageEncoder } from './models/image-encoder.js';
import { OnnxRuntime } from './models/onnx-runtime.js';
import { ProjectionHead } from './models/projection-head.js';
import type { AppServices } from './services/app-services.js';
import { ClassifyService } from './services/classify.service.js';
import { STORED_TAG_COUNT, VOCABULARY } from './services/collections.js';
import { ImageEmbeddingService } from './services/image-embedding.service.js';
import { IngestService } from './services/ingest.service.js';
import { modelRef, type ImagesIdentity, type WordVectorsRef } from './services/model-identity.js';
import { ensureModelsBuilt, type ModelSelection, type ProgressFn } from './services/models.service.js';
import { ensureImagesCollection, ReindexService, type ReindexReport } from './services/reindex.service.js';
import { loadRelevanceFile, relevanceScale, type RelevanceScale } from './models/relevance.js';
import { SearchService, type SearchRelevance } from './services/search.service.js';
import { StatsService } from './services/stats.service.js';
import { ensureVocabulary, openVocabularySource } from './services/vocabulary-import.service.js';
import { VocabularyService } from './services/vocabulary.service.js';
import type { AnnParams } from './store/embedded/ann-index.js';
import { EmbeddedStore, type EmbeddedStoreOptions } from './store/embedded.store.js';
import { QdrantStore } from './store/qdrant.store.js';
import { PrefixedStore } from './store/prefixed.store.js';
import type { VectorStore } from './store/vector-store.js';

/** `background: false` for short-lived CLI commands: they never start index builds of their own. */
export async function openStore(
  config: Config,
  options: { background?: boolean } = {},
): Promise<VectorStore> {
  if (config.QDRANT_URL) {
    const store = await QdrantStore.connect({
      url: config.QDRANT_URL,
      ...(config.QDRANT_API_KEY ? { apiKey: config.QDRANT_API_KEY } : {}),
      timeoutMs: config.QDRANT_TIMEOUT_MS,
      ...(config.QDRANT_SHARDS ? { shardNumber: config.QDRANT_SHARDS } : {}),
      ...(config.QDRANT_REPLICATION_FACTOR ? { replicationFactor: config.QDRANT_REPLICATION_FACTOR } : {}),
      ...(config.QDRANT_WRITE_CONSISTENCY ? { writeConsistencyFactor: config.QDRANT_WRITE_CONSISTENCY } : {}),
    });
    return config.QDRANT_COLLECTION_PREFIX
      ? new PrefixedStore(store, config.QDRANT_COLLECTION_PREFIX)
      : store;
  }
  return EmbeddedStore.open(embeddedStoreOptions(config, options.background ?? true));
}

/**
 * The vocabulary's graph: many short queries over 341k words, most of them rare. M 32, efConstruction
 * 512, ef 160: recall@10 0.9875 at 0.505 ms a query, where M 16 needs ef 320 for 0.982 (0.727 ms) and the
 * images' efConstruction 128 needs ef 768 (1.7 ms). The build takes ≈ 200 s in the background (M 16:
 * 141 s) and the graph 87 MB instead of 44. Tuned with `node dist/scripts/ann-sweep.js '[16,32]'
 * '[128,160,320]' 0 i8 512` on its own query set, not the bench's.
 */
export const VOCABULARY_ANN: Partial<AnnParams> = {
  connectivity: 32,
  expansionAdd: 512,
  expansionSearch: 160,
};

/** The embedded store as the product opens it: the server, the CLI, the tests' template and the bench. */
export function embeddedStoreOptions(config: Config, background: boolean): EmbeddedStoreOptions {
  return {
    dir: path.join(config.dataDir, 'store'),
    backgroundIndexBuilds: background,
    residentVectorMb: config.EMBEDDED_RESIDENT_VECTOR_MB,
    annParamsByCollection: { [VOCABULARY]: VOCABULARY_ANN },
  };
}

export interface LoadedModels {
  runtime: OnnxRuntime;
  decoder: ImageDecoder;
  encoder: ImageEncoder;
  head: ProjectionHead;
  encoderDir: string;
  headDir: string;
  /** Set when the fallback pipeline replaced the default one. */
  fallbackReason?: string;
}

export async function loadModels(
  config: Config,
  selection: ModelSelection = { encoderDir: config.encoderDir, headDir: config.headDir },
): Promise<LoadedModels> {
  const runtime = new OnnxRuntime({ provider: config.ORT_PROVIDER, intraOpThreads: config.ORT_THREADS });
  const encoder = await ImageEncoder.load(selection.encoderDir, runtime);
  const head = await ProjectionHead.load(selection.headDir, runtime);
  if (head.manifest.input.dimension !== encoder.dimension) {
    throw new AppError(
      ErrorCode.MODEL_UNAVAILABLE,
      `head ${head.manifest.name} expects ${head.manifest.input.dimension}-d features but encoder ` +
        `${encoder.manifest.name} gives ${encoder.dimension}-d: train a head for this encoder (visem train)`,
    );
  }
  const decoder = new ImageDecoder({
    maxPixels: config.MAX_PIXELS,
    maxSide: config.MAX_SIDE,
    maxPages: config.MAX_PAGES,
  });
  return {
    runtime,
    decoder,
    encoder,
    head,
    encoderDir: selection.encoderDir,
    headDir: selection.headDir,
    ...(selection.fallbackReason ? { fallbackReason: selection.fallbackReason } : {}),
  };
}

/** What the images collection records: the loaded encoder and head, and the word vectors of its tags. */
export async function imagesIdentity(
  models: LoadedModels,
  wordVectors: WordVectorsRef,
): Promise<ImagesIdentity> {
  return {
    encoder: await modelRef(models.encoderDir, models.encoder.manifest),
    head: await modelRef(models.headDir, models.head.manifest),
    wordVectors,
  };
}

/** The pipeline's calibrated cut-offs (relevance.json beside the head), with the configured overrides. */
export async function searchRelevance(
  config: Config,
  models: LoadedModels,
  log: Logger,
): Promise<SearchRelevance> {
  const { file, reason } = await loadRelevanceFile(models.headDir, {
    encoderSha256: models.encoder.manifest.sha256,
    headSha256: models.head.manifest.sha256,
  });
  if (reason) log.warn({ reason }, 'no relevance calibration: scores carry no band or relevance');
  const relevance = {
    text: relevanceScale(file?.text, config.SEARCH_MIN_SCORE),
    image: relevanceScale(file?.image, config.SIMILAR_MIN_SCORE),
  };
  const cut = (s: RelevanceScale) => ({ minScore: s.minScore ?? null, source: s.source });
  log.info({ text: cut(relevance.text), image: cut(relevance.image) }, 'relevance cut-offs');
  return relevance;
}

function embeddingService(config: Config, models: LoadedModels): ImageEmbeddingService {
  return new ImageEmbeddingService(models.decoder, models.encoder, models.head, {
    concurrency: config.INFERENCE_CONCURRENCY,
    batchSize: config.BATCH_SIZE,
    capacity: inferenceCapacity(config),
  });
}

/**
 * Everything a server or CLI run needs, in dependency order: models (built on first start), store,
 * vocabulary (imported on first start), then the services. Fails fast with a clear message.
 */
export async function createServices(
  config: Config,
  log: Logger,
  progress?: ProgressFn,
  options: { background?: boolean } = {},
): Promise<AppServices> {
  const models = await loadModels(config, await ensureModelsBuilt(config, log, progress));
  const store = await openStore(config, options);
  try {
    // A store written by other models is refused before anything is imported or created.
    const source = await openVocabularySource(config);
    await ensureImagesCollection(store, await imagesIdentity(models, source.identity));
    const vocabularyInfo = await ensureVocabulary(config, store, models.head.dimension, log, progress, {
      source,
    });
    const files = new LocalMediaStore(config.mediaDir);
    const vocabulary = new VocabularyService(store, {
      maxTextLength: config.MAX_TEXT_LENGTH,
      ...(vocabularyInfo.outOfVocabulary ? { outOfVocabulary: vocabularyInfo.outOfVocabulary } : {}),
    });
    const embedding = embeddingService(config, models);
    const ingest = new IngestService(store, files, models.decoder, embedding, vocabulary, {
      thumbnailSize: config.THUMBNAIL_SIZE,
      tagCount: STORED_TAG_COUNT,
    });
    log.info(
      {
        encoder: models.encoder.manifest.name,
        head: models.head.manifest.name,
        provider: models.encoder.provider,
        ...(models.encoder.cpuReason ? { cpuReason: models.encoder.cpuReason } : {}),
      },
      'models loaded',
    );
    return {
      config,
      files,
      embedding,
      vocabulary,
      ingest,
      classify: new ClassifyService(embedding, vocabulary, ingest),
      search: new SearchService(store, vocabulary, embedding, await searchRelevance(config, models, log)),
      stats: new StatsService(store, vocabulary, embedding, vocabularyInfo.name, models.fallbackReason),
      close: async () => {
        await store.close();
        await models.runtime.release();
      },
    };
  } catch (e) {
    await store.close();
    await models.runtime.release();
    throw e;
  }
}

export interface ReindexRun {
  report: ReindexReport;
  identity: ImagesIdentity;
  /** Whether the vocabulary was imported again (other word vectors, or a store from before identities). */
  vocabularyImported: boolean;
}

/**
 * `visem reindex`: the vocabulary first (imported again when it was written from other word vectors),
 * then the images, re-embedded from their stored copies with the configured models (ReindexService).
 */
export async function reindexStore(
  config: Config,
  log: Logger,
  progress?: ProgressFn,
  options: { concurrency?: number; pageSize?: number; dropMissing?: boolean } = {},
): Promise<ReindexRun> {
  const models = await loadModels(config, await ensureModelsBuilt(config, log, progress));
  const store = await openStore(config, { background: false });
  try {
    const source = await openVocabularySource(config);
    const vocabularyInfo = await ensureVocabulary(config, store, models.head.dimension, log, progress, {
      source,
      onMismatch: 'reimport',
    });
    const identity = await imagesIdentity(models, vocabularyInfo.wordVectors);
    const vocabulary = new VocabularyService(store, { maxTextLength: config.MAX_TEXT_LENGTH });
    const embedding = embeddingService(config, models);
    const files = new LocalMediaStore(config.mediaDir);
    const concurrency = options.concurrency ?? config.INFERENCE_CONCURRENCY * config.BATCH_SIZE;
    const reindex = new ReindexService(store, files, embedding, vocabulary, {
      tagCount: STORED_TAG_COUNT,
      // Never more images in flight than the inference queue admits.
      concurrency: Math.min(concurrency, inferenceCapacity(config)),
      pageSize: options.pageSize ?? 64,
      dropMissing: options.dropMissing === true,
    });
    const report = await reindex.run(identity, (done, total) =>
      progress?.('re-embedding images', done, total),
    );
    return { report, identity, vocabularyImported: vocabularyInfo.imported };
  } finally {
    await store.close();
    await models.runtime.release();
  }
}
