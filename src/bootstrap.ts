import path from 'node:path';
import type { Config } from './config.js';
import { AppError, ErrorCode } from './errors.js';
import { ImageFiles } from './files/image-files.js';
import type { Logger } from './log.js';
import { ImageDecoder } from './models/image-decoder.js';
import { ImageEncoder } from './models/image-encoder.js';
import { OnnxRuntime } from './models/onnx-runtime.js';
import { ProjectionHead } from './models/projection-head.js';
import type { AppServices } from './services/app-services.js';
import { ClassifyService } from './services/classify.service.js';
import { imagesCollection } from './services/collections.js';
import { ImageEmbeddingService } from './services/image-embedding.service.js';
import { IngestService } from './services/ingest.service.js';
import { ensureModelsBuilt, type ProgressFn } from './services/models.service.js';
import { SearchService } from './services/search.service.js';
import { StatsService } from './services/stats.service.js';
import { ensureVocabulary } from './services/vocabulary-import.service.js';
import { VocabularyService } from './services/vocabulary.service.js';
import { EmbeddedStore } from './store/embedded.store.js';
import { QdrantStore } from './store/qdrant.store.js';
import type { VectorStore } from './store/vector-store.js';

/** `background: false` for short-lived CLI commands: they never start index builds of their own. */
export async function openStore(
  config: Config,
  options: { background?: boolean } = {},
): Promise<VectorStore> {
  if (config.QDRANT_URL) {
    return QdrantStore.connect({
      url: config.QDRANT_URL,
      ...(config.QDRANT_API_KEY ? { apiKey: config.QDRANT_API_KEY } : {}),
      timeoutMs: config.QDRANT_TIMEOUT_MS,
      ...(config.QDRANT_SHARDS ? { shardNumber: config.QDRANT_SHARDS } : {}),
      ...(config.QDRANT_REPLICATION_FACTOR ? { replicationFactor: config.QDRANT_REPLICATION_FACTOR } : {}),
      ...(config.QDRANT_WRITE_CONSISTENCY ? { writeConsistencyFactor: config.QDRANT_WRITE_CONSISTENCY } : {}),
    });
  }
  return EmbeddedStore.open({
    dir: path.join(config.dataDir, 'store'),
    backgroundIndexBuilds: options.background ?? true,
  });
}

export interface LoadedModels {
  runtime: OnnxRuntime;
  decoder: ImageDecoder;
  encoder: ImageEncoder;
  head: ProjectionHead;
}

export async function loadModels(config: Config): Promise<LoadedModels> {
  const runtime = new OnnxRuntime({ provider: config.ORT_PROVIDER, intraOpThreads: config.ORT_THREADS });
  const encoder = await ImageEncoder.load(config.encoderDir, runtime);
  const head = await ProjectionHead.load(config.headDir, runtime);
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
  return { runtime, decoder, encoder, head };
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
  await ensureModelsBuilt(config, log, progress);
  const models = await loadModels(config);
  const store = await openStore(config, options);
  try {
    const vocabularyInfo = await ensureVocabulary(config, store, models.head.dimension, log, progress);
    await store.ensureCollection(imagesCollection(models.head.dimension, models.encoder.dimension));
    const files = new ImageFiles(path.join(config.dataDir, 'images'));
    const vocabulary = new VocabularyService(store, {
      maxTextLength: config.MAX_TEXT_LENGTH,
      ...(vocabularyInfo.outOfVocabulary ? { outOfVocabulary: vocabularyInfo.outOfVocabulary } : {}),
    });
    const embedding = new ImageEmbeddingService(models.decoder, models.encoder, models.head, {
      concurrency: config.INFERENCE_CONCURRENCY,
      batchSize: config.BATCH_SIZE,
      capacity: config.INFERENCE_CONCURRENCY * config.BATCH_SIZE + config.INFERENCE_QUEUE,
    });
    const ingest = new IngestService(store, files, models.decoder, embedding, vocabulary, {
      thumbnailSize: config.THUMBNAIL_SIZE,
      tagCount: 10,
    });
    log.info(
      {
        encoder: models.encoder.manifest.name,
        head: models.head.manifest.name,
        provider: models.encoder.provider,
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
      search: new SearchService(store, vocabulary, embedding),
      stats: new StatsService(store, vocabulary, embedding, vocabularyInfo.name),
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
