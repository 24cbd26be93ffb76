import { AppError, ErrorCode } from '../errors.js';
import type { ScoredPoint, VectorStore } from '../store/vector-store.js';
import { IMAGES, type ImageRecord, type WordScore } from './collections.js';
import { decodeOffsetCursor, decodeScrollCursor, offsetCursor, scrollCursor } from './cursor.js';
import type { ImageEmbeddingService } from './image-embedding.service.js';
import { toImageRecord } from './ingest.service.js';
import type { VocabularyService } from './vocabulary.service.js';

export interface RankedImage {
  image: ImageRecord;
  score: number;
  cursor: string;
}

export interface ImagePage {
  edges: RankedImage[];
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface PageArgs {
  first: number;
  after?: string | null;
}

/** Words → images, image → similar images, and listings, as Relay-style pages. */
export class SearchService {
  constructor(
    private readonly store: VectorStore,
    private readonly vocabulary: VocabularyService,
    private readonly embedding: ImageEmbeddingService,
  ) {}

  async searchImages(text: string, page: PageArgs, minScore?: number): Promise<ImagePage> {
    const vector = await this.vocabulary.textVector(text);
    return this.ranked('semantic', vector, page, minScore);
  }

  /** Images that look like a stored one (encoder features), the image itself left out. */
  async similarImages(id: string, page: PageArgs): Promise<ImagePage> {
    const [point] = await this.store.get(IMAGES, [id], { withVectors: true });
    if (!point) throw new AppError(ErrorCode.NOT_FOUND, `no image with id ${id}`, { id });
    return this.ranked('visual', point.vectors!.visual!, page, undefined, id);
  }

  /** Images that look like an uploaded example, which is not stored. */
  async searchByImage(bytes: Uint8Array, page: PageArgs): Promise<ImagePage> {
    const embedded = await this.embedding.embed(bytes);
    return this.ranked('visual', embedded.visual, page);
  }

  async listImages(page: PageArgs): Promise<ImagePage> {
    const cursor = decodeScrollCursor(page.after);
    const result = await this.store.scroll(IMAGES, { limit: page.first, ...(cursor ? { cursor } : {}) });
    const edges = result.points.map((p, i) => ({
      image: toImageRecord(p),
      score: 0,
      // Only the last edge can resume a scroll; earlier edges carry the same page's start.
      cursor: i === result.points.length - 1 && result.next ? scrollCursor(result.next) : (page.after ?? ''),
    }));
    return {
      edges,
      hasNextPage: Boolean(result.next),
      endCursor: result.next ? scrollCursor(result.next) : null,
    };
  }

  async image(id: string): Promise<ImageRecord | undefined> {
    const [point] = await this.store.get(IMAGES, [id]);
    return point ? toImageRecord(point) : undefined;
  }

  /** Labels computed from the stored semantic vector (when more are asked for than were kept at ingest). */
  async imageLabels(id: string, limit: number): Promise<WordScore[]> {
    const [point] = await this.store.get(IMAGES, [id], { withVectors: true });
    if (!point) throw new AppError(ErrorCode.NOT_FOUND, `no image with id ${id}`, { id });
    return this.vocabulary.nearestLabels(point.vectors!.semantic!, limit);
  }

  private async ranked(
    using: 'semantic' | 'visual',
    vector: Float32Array,
    page: PageArgs,
    minScore?: number,
    excludeId?: string,
  ): Promise<ImagePage> {
    const offset = decodeOffsetCursor(page.after);
    // One extra result tells whether a next page exists; with an excluded id, fetch from the top so
    // positions do not shift wherever that id ranks.
    const hits: ScoredPoint[] = await this.store.search(IMAGES, {
      using,
      vector,
      limit: excludeId ? offset + page.first + 2 : page.first + 1,
      offset: excludeId ? 0 : offset,
      ...(minScore !== undefined ? { scoreThreshold: minScore } : {}),
    });
    const ranked = excludeId ? hits.filter((h) => h.id !== excludeId).slice(offset) : hits;
    const edges = ranked.slice(0, page.first).map((h, i) => ({
      image: toImageRecord(h),
      score: h.score,
      cursor: offsetCursor(offset + i),
    }));
    return {
      edges,
      hasNextPage: ranked.length > page.first,
      endCursor: edges.length ? edges[edges.length - 1]!.cursor : null,
    };
  }
}
