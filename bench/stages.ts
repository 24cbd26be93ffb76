/**
 * What one image costs in each stage of ingest, run one at a time through the product's own components
 * (the decoder, encoder and head `npm start` loads, the media store, the embedded store), so the
 * pipeline's distance from the bare encoder can be attributed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { embeddedStoreOptions, loadModels } from '../src/bootstrap.js';
import type { Config } from '../src/config.js';
import { LocalMediaStore } from '../src/files/media-store.js';
import { STORED_TAG_COUNT } from '../src/services/collections.js';
import { contentHash } from '../src/services/image-embedding.service.js';
import { ensureModelsBuilt } from '../src/services/models.service.js';
import { VocabularyService } from '../src/services/vocabulary.service.js';
import { createLogger } from '../src/log.js';
import { EmbeddedStore } from '../src/store/embedded.store.js';
import { median, now } from './lib.js';

export interface StageRow {
  stage: string;
  p50Ms: number;
}

export async function benchStages(config: Config, files: readonly string[]): Promise<StageRow[]> {
  const models = await loadModels(config, await ensureModelsBuilt(config, createLogger('warn')));
  // Only for the vocabulary (tags): the configured store, read, never written.
  const vocabStore = await EmbeddedStore.open(embeddedStoreOptions(config, false));
  const vocabulary = new VocabularyService(vocabStore, { maxTextLength: config.MAX_TEXT_LENGTH });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'visem-stages-'));
  const media = new LocalMediaStore(path.join(work, 'media'));
  const store = await EmbeddedStore.open({ dir: path.join(work, 'store'), backgroundIndexBuilds: false });
  const times = new Map<string, number[]>();
  const time = async <T>(stage: string, fn: () => Promise<T>): Promise<T> => {
    const t = now();
    const out = await fn();
    (times.get(stage) ?? times.set(stage, []).get(stage)!).push(now() - t);
    return out;
  };
  try {
    const { decoder, encoder, head } = models;
    await store.ensureCollection({
      name: 'images',
      vectors: { semantic: { size: head.dimension }, visual: { size: encoder.dimension } },
    });
    for (const [i, file] of files.entries()) {
      const bytes = await time('read file', () => fs.promises.readFile(file));
      const info = await time('header check', () => decoder.inspect(bytes));
      const tensor = await time('decode + resize → tensor', () =>
        decoder.toTensor(bytes, encoder.manifest.input),
      );
      const [encoded] = await time('encoder (batch 1)', () => encoder.embed([tensor]));
      const [semantic] = await time('head (batch 1)', () => head.project([encoded!.features]));
      await time('tags (nearest labels)', () => vocabulary.nearestLabels(semantic!, STORED_TAG_COUNT));
      const copies = await time('stored copy + thumbnail', () =>
        decoder.storedCopies(bytes, info, config.THUMBNAIL_SIZE),
      );
      const id = await time('content hash', () => Promise.resolve(contentHash(bytes)));
      await time('media writes (2 files, fsync)', async () => {
        await media.write(id, 'original', copies.image);
        await media.write(id, 'thumbnail', copies.thumbnail);
      });
      await time('store upsert (1 point)', () =>
        store.upsert('images', [
          { id, vectors: { semantic: semantic!, visual: encoded!.visual }, payload: { i } },
        ]),
      );
    }
    // The first image warms every stage up; it is left out.
    return [...times].map(([stage, ms]) => ({ stage, p50Ms: median(ms.slice(1)) }));
  } finally {
    await store.close();
    await vocabStore.close();
    await models.runtime.release();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
