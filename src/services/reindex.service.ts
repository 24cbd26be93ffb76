import { AppError, ErrorCode, isAppError } from '../errors.js';
import type { MediaStore } from '../files/media-store.js';
import {
  scrollPages,
  type Payload,
  type Point,
  type StoredPoint,
  type VectorStore,
} from '../store/vector-store.js';
import { IMAGES, IMAGES_REINDEX, imagesCollection } from './collections.js';
import type { ImageEmbeddingService } from './image-embedding.service.js';
import { storedTags } from './ingest.service.js';
import {
  checkIdentity,
  identityMetadata,
  pendingIdentity,
  pendingMetadata,
  recordedIdentity,
  sameIdentity,
  type ImagesIdentity,
} from './model-identity.js';
import type { VocabularyService } from './vocabulary.service.js';

/**
 * At start (server or CLI): refuses an images collection written by other models, or a reindex in
 * progress or interrupted; a new or empty collection is made (again) with the loaded models' identity.
 */
export async function ensureImagesCollection(store: VectorStore, identity: ImagesIdentity): Promise<void> {
  if (await store.collectionInfo(IMAGES_REINDEX)) {
    throw new AppError(
      ErrorCode.STORE_MODEL_MISMATCH,
      `a \`visem reindex\` is running or was interrupted (the collection ${IMAGES_REINDEX} exists): ` +
        'let it finish, or run `visem reindex` again to complete it',
      { collection: IMAGES_REINDEX },
    );
  }
  const info = await store.collectionInfo(IMAGES);
  const spec = {
    ...imagesCollection(identity.head.dimension, identity.encoder.dimension),
    metadata: identityMetadata(identity),
  };
  if (checkIdentity(IMAGES, info, identity) === 'current' || !info) return store.ensureCollection(spec);
  // Empty, with other or no recorded models: nothing to re-embed, so it takes the loaded models.
  const sizes = (v: Record<string, { size: number }>) => JSON.stringify(Object.entries(v).sort());
  if (sizes(info.vectors) !== sizes(spec.vectors)) {
    await store.dropCollection(IMAGES);
    return store.ensureCollection(spec);
  }
  await store.updateCollectionMetadata(IMAGES, spec.metadata);
  await store.ensureCollection(spec);
}

export interface ReindexOptions {
  /** Tags kept in each payload (as ingest keeps). */
  tagCount: number;
  /** Images read and embedded at once. */
  concurrency: number;
  /** Points per scroll page and per upsert into the new collection. */
  pageSize: number;
  /** Leave out images whose stored copy is missing or unreadable, instead of stopping before the switch. */
  dropMissing: boolean;
}

export interface ReindexFailure {
  id: string;
  filename: string;
  code: string;
  message: string;
}

export interface ReindexReport {
  /** The images collection already recorded these models: nothing was done. */
  upToDate: boolean;
  /** The new collection took the name `images`. */
  switched: boolean;
  /** Images in the collection at the end. */
  images: number;
  /** Images embedded by this run. */
  embedded: number;
  /** Images already embedded by an interrupted earlier run, kept. */
  resumed: number;
  /** Images deleted from the live collection while the run went on, not brought back. */
  removed: number;
  /** Images whose stored copy could not be embedded (left out with dropMissing, else nothing switched). */
  failed: ReindexFailure[];
}

/**
 * `visem reindex`: re-embeds every stored image from its stored copy under DATA_DIR with the loaded
 * models, tags included, into a new collection (`images_reindex`, recording the models as pending), and
 * when every image is there records them as its identity and puts it in the place of `images` in one
 * replaceCollection. So readers only ever see the old collection or the complete new one.
 *
 * - Resumable: a rerun after a crash keeps what the new collection holds (its pending identity says
 *   which models made it; another target starts over) and embeds only the rest.
 * - Idempotent: on a store whose images collection records these models, nothing is done.
 * - Stop servers writing to the store first: images ingested meanwhile are picked up by a final pass,
 *   but one ingested in the instant before the switch would be left out (its files stay).
 */
export class ReindexService {
  constructor(
    private readonly store: VectorStore,
    private readonly files: MediaStore,
    private readonly embedding: ImageEmbeddingService,
    private readonly vocabulary: VocabularyService,
    private readonly options: ReindexOptions,
  ) {}

  async run(
    identity: ImagesIdentity,
    onProgress?: (done: number, total: number) => void,
  ): Promise<ReindexReport> {
    const report: ReindexReport = {
      upToDate: false,
      switched: false,
      images: 0,
      embedded: 0,
      resumed: 0,
      removed: 0,
      failed: [],
    };
    const live = await this.store.collectionInfo(IMAGES);
    const staging = await this.store.collectionInfo(IMAGES_REINDEX);
    const target = staging && (pendingIdentity(staging.metadata) ?? recordedIdentity(staging.metadata));
    const stale = staging !== undefined && !sameIdentity(target, identity);
    // An interrupted run towards other models: it goes, whatever comes next.
    if (stale) await this.store.dropCollection(IMAGES_REINDEX);
    if ((!staging || stale) && live && sameIdentity(recordedIdentity(live.metadata), identity)) {
      return { ...report, upToDate: true, images: live.count };
    }
    const spec = imagesCollection(identity.head.dimension, identity.encoder.dimension);
    await this.store.ensureCollection({ ...spec, name: IMAGES_REINDEX, metadata: pendingMetadata(identity) });
    if (live) await this.copyAll(live.count, report, onProgress);
    if (report.failed.length > 0 && !this.options.dropMissing) return report;
    // Complete: the identity goes with the collection into the place of `images`.
    await this.store.updateCollectionMetadata(IMAGES_REINDEX, identityMetadata(identity));
    await this.store.replaceCollection(IMAGES, IMAGES_REINDEX);
    const info = await this.store.collectionInfo(IMAGES);
    return { ...report, switched: true, images: info?.count ?? 0 };
  }

  /**
   * Passes over the live collection until one finds nothing to embed (the second pass catches images
   * ingested during the first), then drops from the new collection what the live one no longer has.
   */
  private async copyAll(
    total: number,
    report: ReindexReport,
    onProgress?: (done: number, total: number) => void,
  ): Promise<void> {
    const failed = new Set<string>();
    for (let pass = 0; ; pass++) {
      let embedded = 0;
      let done = 0;
      for await (const page of scrollPages(this.store, IMAGES, { limit: this.options.pageSize })) {
        const ids = page.map((p) => p.id);
        const have = new Set((await this.store.get(IMAGES_REINDEX, ids)).map((p) => p.id));
        const todo = page.filter((p) => !have.has(p.id) && !failed.has(p.id));
        if (pass === 0) report.resumed += have.size;
        const points = await this.embedAll(todo, failed, report);
        // Each page is one upsert: a crash leaves whole pages, which a rerun keeps.
        if (points.length > 0) await this.store.upsert(IMAGES_REINDEX, points);
        embedded += points.length;
        done += page.length;
        if (pass === 0) onProgress?.(done, Math.max(total, done));
      }
      report.embedded += embedded;
      if (embedded === 0) break;
    }
    for await (const page of scrollPages(this.store, IMAGES_REINDEX, { limit: this.options.pageSize })) {
      const ids = page.map((p) => p.id);
      const present = new Set((await this.store.get(IMAGES, ids)).map((p) => p.id));
      const gone = ids.filter((id) => !present.has(id));
      if (gone.length > 0) report.removed += await this.store.delete(IMAGES_REINDEX, gone);
    }
  }

  private async embedAll(todo: StoredPoint[], failed: Set<string>, report: ReindexReport): Promise<Point[]> {
    const out: Point[] = [];
    let next = 0;
    const worker = async () => {
      while (next < todo.length) {
        const p = todo[next++]!;
        const result = await this.reembed(p);
        if ('point' in result) out.push(result.point);
        else {
          failed.add(p.id);
          report.failed.push(result.failure);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, todo.length) }, worker));
    return out;
  }

  /** The stored copy through the loaded models; the payload is kept but for its tags, recomputed. */
  private async reembed(p: StoredPoint): Promise<{ point: Point } | { failure: ReindexFailure }> {
    const filename = typeof p.payload.filename === 'string' ? p.payload.filename : '';
    const failure = (code: string, message: string) => ({ failure: { id: p.id, filename, code, message } });
    let bytes: Buffer | undefined;
    try {
      bytes = await this.files.read(p.id, 'original');
    } catch (e) {
      return failure(ErrorCode.NOT_FOUND, `stored copy unreadable: ${(e as Error).message}`);
    }
    if (!bytes) return failure(ErrorCode.NOT_FOUND, 'stored copy missing');
    let embedded;
    try {
      embedded = await this.embedding.embed(bytes);
    } catch (e) {
      const code = isAppError(e) ? e.code : undefined;
      if (code === ErrorCode.UNSUPPORTED_IMAGE || code === ErrorCode.IMAGE_TOO_LARGE) {
        return failure(code, (e as Error).message);
      }
      throw e;
    }
    const tags = await this.vocabulary.nearestLabels(embedded.semantic, this.options.tagCount);
    const payload: Payload = { ...p.payload, tags: storedTags(tags) as unknown as Payload['tags'] };
    return {
      point: { id: p.id, vectors: { semantic: embedded.semantic, visual: embedded.visual }, payload },
    };
  }
}
