import path from 'node:path';
import type { ImageFiles } from '../files/image-files.js';
import type { ImageDecoder } from '../models/image-decoder.js';
import type { StoredPoint, VectorStore } from '../store/vector-store.js';
import { IMAGES, type ImagePayload, type ImageRecord, type WordScore } from './collections.js';
import { contentHash, type EmbeddedImage, type ImageEmbeddingService } from './image-embedding.service.js';
import type { VocabularyService } from './vocabulary.service.js';

export interface IngestOptions {
  thumbnailSize: number;
  /** Tags kept in the payload, for listing without recomputing. */
  tagCount: number;
}

export interface IngestResult {
  image: ImageRecord;
  /** False when the same bytes were already stored. */
  created: boolean;
}

export function toImageRecord(point: StoredPoint): ImageRecord {
  return { id: point.id, ...(point.payload as unknown as ImagePayload) };
}

/**
 * Stores images: idempotent by content hash. Files first, the vector-store point last: the point is the
 * commit, so an image is visible only once everything it refers to is durable.
 */
export class IngestService {
  constructor(
    private readonly store: VectorStore,
    private readonly files: ImageFiles,
    private readonly decoder: ImageDecoder,
    private readonly embedding: ImageEmbeddingService,
    private readonly vocabulary: VocabularyService,
    private readonly options: IngestOptions,
  ) {}

  async find(id: string): Promise<ImageRecord | undefined> {
    const [point] = await this.store.get(IMAGES, [id]);
    return point ? toImageRecord(point) : undefined;
  }

  async ingest(bytes: Uint8Array, meta: { filename: string; source: string }): Promise<IngestResult> {
    const existing = await this.find(contentHash(bytes));
    if (existing) return { image: existing, created: false };
    return this.store_(bytes, await this.embedding.embed(bytes), meta);
  }

  /** Stores an image already embedded (classify with store: true), unless the same bytes are stored. */
  async ingestEmbedded(
    bytes: Uint8Array,
    embedded: EmbeddedImage,
    meta: { filename: string; source: string },
    tags?: WordScore[],
  ): Promise<IngestResult> {
    const existing = await this.find(embedded.id);
    if (existing) return { image: existing, created: false };
    return this.store_(bytes, embedded, meta, tags);
  }

  private async store_(
    bytes: Uint8Array,
    embedded: EmbeddedImage,
    meta: { filename: string; source: string },
    knownTags?: WordScore[],
  ): Promise<IngestResult> {
    const tags =
      knownTags && knownTags.length >= this.options.tagCount
        ? knownTags.slice(0, this.options.tagCount)
        : await this.vocabulary.nearestLabels(embedded.semantic, this.options.tagCount);
    const copies = await this.decoder.storedCopies(bytes, this.options.thumbnailSize);
    await this.files.write(embedded.id, 'original', copies.image);
    await this.files.write(embedded.id, 'thumbnail', copies.thumbnail);
    const payload: ImagePayload = {
      filename: path.basename(meta.filename || 'image').slice(0, 255),
      contentType: copies.imageType,
      format: embedded.info.format,
      width: embedded.info.width,
      height: embedded.info.height,
      bytes: bytes.length,
      createdAt: Date.now(),
      source: meta.source,
      tags: storedTags(tags),
    };
    await this.store.upsert(IMAGES, [
      {
        id: embedded.id,
        vectors: { semantic: embedded.semantic, visual: embedded.visual },
        payload: payload as unknown as Record<string, never>,
      },
    ]);
    return { image: { id: embedded.id, ...payload }, created: true };
  }

  /** Removes the point first (the image disappears at once), then its files. */
  async delete(id: string): Promise<boolean> {
    const removed = await this.store.delete(IMAGES, [id]);
    await this.files.remove(id);
    return removed > 0;
  }
}

/** Tags as kept in a payload: scores rounded to 6 decimals. */
export function storedTags(tags: WordScore[]): WordScore[] {
  return tags.map((t) => ({ word: t.word, score: Math.round(t.score * 1e6) / 1e6 }));
}
