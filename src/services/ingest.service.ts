import path from 'node:path';
import type { MediaStore } from '../files/media-store.js';
import type { ImageDecoder, StoredCopies } from '../models/image-decoder.js';
import type { Point, StoredPoint, VectorStore } from '../store/vector-store.js';
import { IMAGES, type ImagePayload, type ImageRecord, type WordScore } from './collections.js';
import type { CheckedImage, EmbeddedImage, ImageEmbeddingService } from './image-embedding.service.js';
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

interface ImageMeta {
  filename: string;
  source: string;
}

interface NewImage {
  record: ImageRecord;
  point: Point;
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
    private readonly files: MediaStore,
    private readonly decoder: ImageDecoder,
    private readonly embedding: ImageEmbeddingService,
    private readonly vocabulary: VocabularyService,
    private readonly options: IngestOptions,
  ) {}

  async find(id: string): Promise<ImageRecord | undefined> {
    const [point] = await this.store.get(IMAGES, [id]);
    return point ? toImageRecord(point) : undefined;
  }

  /** One image: ingestAll of one file. */
  async ingest(bytes: Uint8Array, meta: ImageMeta): Promise<IngestResult> {
    const [result] = await this.ingestAll([{ bytes, filename: meta.filename }], meta.source);
    return result!;
  }

  /** The stored copies, started now; a failure surfaces when awaited (never as an unhandled rejection). */
  private copies(image: CheckedImage): Promise<StoredCopies> {
    const pending = this.decoder.storedCopies(image.bytes, image.info, this.options.thumbnailSize);
    pending.catch(() => undefined);
    return pending;
  }

  /** Stores an image already embedded (classify with store: true), unless the same bytes are stored. */
  async ingestEmbedded(
    bytes: Uint8Array,
    embedded: EmbeddedImage,
    meta: ImageMeta,
    tags?: WordScore[],
  ): Promise<IngestResult> {
    const existing = await this.find(embedded.id);
    if (existing) return { image: existing, created: false };
    const prepared = await this.prepare(bytes, embedded, meta, tags);
    await this.store.upsert(IMAGES, [prepared.point]);
    return { image: prepared.record, created: true };
  }

  /**
   * Stores the images of one request together, in their order: every file is checked and embedded before
   * any is stored, and the new points go to the store in one upsert, so bad input, a corrupt file or a
   * busy server stores nothing. A store failing during that write may leave some of them stored whole
   * (VectorStore.upsert); repeating the request completes it, as images are keyed by their content.
   */
  async ingestAll(files: { bytes: Uint8Array; filename: string }[], source: string): Promise<IngestResult[]> {
    const checked: CheckedImage[] = [];
    for (const f of files) checked.push(await this.embedding.check(f.bytes));
    // The stored copies are made while each image waits for and goes through the encoder (after the
    // header check, so no unsupported format reaches a decoder).
    const found = await Promise.all(
      checked.map(async (image) => {
        const stored = await this.find(image.id);
        if (stored) return { stored };
        const copies = this.copies(image);
        return { embedded: await this.embedding.embed(image), copies: await copies };
      }),
    );
    const fresh = new Map<string, NewImage>();
    for (const [i, f] of files.entries()) {
      const { embedded, copies } = found[i]!;
      // The same bytes twice in one request are one image.
      if (embedded && !fresh.has(embedded.id)) {
        const meta = { filename: f.filename, source };
        fresh.set(embedded.id, await this.prepare(f.bytes, embedded, meta, undefined, copies));
      }
    }
    if (fresh.size > 0)
      await this.store.upsert(
        IMAGES,
        [...fresh.values()].map((p) => p.point),
      );
    const first = new Set<string>();
    return found.map(({ stored, embedded }) => {
      if (stored) return { image: stored, created: false };
      const created = !first.has(embedded.id);
      first.add(embedded.id);
      return { image: fresh.get(embedded.id)!.record, created };
    });
  }

  /** Tags, stored copies and files of a new image, and the point that commits it. */
  private async prepare(
    bytes: Uint8Array,
    embedded: EmbeddedImage,
    meta: ImageMeta,
    knownTags?: WordScore[],
    madeCopies?: StoredCopies,
  ): Promise<NewImage> {
    const tags =
      knownTags && knownTags.length >= this.options.tagCount
        ? knownTags.slice(0, this.options.tagCount)
        : await this.vocabulary.nearestLabels(embedded.semantic, this.options.tagCount);
    const copies =
      madeCopies ?? (await this.decoder.storedCopies(bytes, embedded.info, this.options.thumbnailSize));
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
    return {
      record: { id: embedded.id, ...payload },
      point: {
        id: embedded.id,
        vectors: { semantic: embedded.semantic, visual: embedded.visual },
        payload: payload as unknown as Record<string, never>,
      },
    };
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
