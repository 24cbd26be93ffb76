import { AppError, ErrorCode } from '../errors.js';
import type { RelevanceBand, RelevanceScale } from '../models/relevance.js';
import type { ScoredPoint, VectorStore } from '../store/vector-store.js';
import { clampCosine } from '../vectors.js';
import type { IgnoredWord } from '../words/query-text.js';
import { IMAGES, type ImageRecord, type WordScore } from './collections.js';
import { decodeOffsetCursor, decodeScrollCursor, offsetCursor, scrollCursor } from './cursor.js';
import type { ImageEmbeddingService } from './image-embedding.service.js';
import { toImageRecord } from './ingest.service.js';
import type { VocabularyService } from './vocabulary.service.js';

export interface RankedImage {
  image: ImageRecord;
  /** Cosine, clamped to [-1, 1]. */
  score: number;
  cursor: string;
  /** Calibrated P(relevant), when the pipeline has a calibration. */
  relevance?: number;
  band?: RelevanceBand;
}

export interface ImagePage {
  edges: RankedImage[];
  hasNextPage: boolean;
  endCursor: string | null;
  /** The cut-off this list applied; undefined when none. */
  minScore?: number;
  /** Whether results below minScore were left out (a lower minScore shows them). */
  cutOff: boolean;
  /** For text queries: the words that made the vector, and those left out. */
  words?: { used: string[]; ignored: IgnoredWord[] };
  /** For an uploaded example: the stored image with the same bytes (never listed as a result). */
  duplicateOf?: ImageRecord;
}

/** How each kind of search reads its cosines: text (semantic space) and image (visual space). */
export interface SearchRelevance {
  text: RelevanceScale;
  image: RelevanceScale;
}

interface RankOptions {
  using: 'semantic' | 'visual';
  vector: Float32Array;
  page: PageArgs;
  /** The query's own cut-off; undefined: the configured default. */
  minScore: number | undefined;
  excludeId?: string;
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
    private readonly relevance: SearchRelevance,
  ) {}

  async searchImages(text: string, page: PageArgs, minScore?: number): Promise<ImagePage> {
    const query = await this.vocabulary.textQuery(text);
    const ranked = await this.ranked({ using: 'semantic', vector: query.vector, page, minScore });
    return { ...ranked, words: { used: query.usedWords, ignored: query.ignoredWords } };
  }

  /** Images that look like a stored one (encoder features), the image itself left out. */
  async similarImages(id: string, page: PageArgs, minScore?: number): Promise<ImagePage> {
    const [point] = await this.store.get(IMAGES, [id], { withVectors: true });
    if (!point) throw new AppError(ErrorCode.NOT_FOUND, `no image with id ${id}`, { id });
    return this.ranked({ using: 'visual', vector: point.vectors!.visual!, page, minScore, excludeId: id });
  }

  /**
   * Images that look like an uploaded example, which is not stored. When the same bytes are stored, that
   * image is reported once as `duplicateOf` and left out of the results.
   */
  async searchByImage(bytes: Uint8Array, page: PageArgs, minScore?: number): Promise<ImagePage> {
    const embedded = await this.embedding.embed(bytes);
    const [stored] = await this.store.get(IMAGES, [embedded.id]);
    const ranked = await this.ranked({
      using: 'visual',
      vector: embedded.visual,
      page,
      minScore,
      ...(stored ? { excludeId: stored.id } : {}),
    });
    return stored ? { ...ranked, duplicateOf: toImageRecord(stored) } : ranked;
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
      cutOff: false,
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

  /** One page of a ranking, with the cut-off applied and each result's band. */
  private async ranked(options: RankOptions): Promise<ImagePage> {
    const { page, excludeId } = options;
    const scale = options.using === 'semantic' ? this.relevance.text : this.relevance.image;
    const minScore = options.minScore ?? scale.minScore;
    const offset = decodeOffsetCursor(page.after);
    // One extra result tells whether a next page exists (or where the cut-off falls); with an excluded id,
    // fetch from the top so positions do not shift wherever that id ranks.
    const hits: ScoredPoint[] = await this.store.search(IMAGES, {
      using: options.using,
      vector: options.vector,
      limit: excludeId ? offset + page.first + 2 : page.first + 1,
      offset: excludeId ? 0 : offset,
    });
    const ranked = (excludeId ? hits.filter((h) => h.id !== excludeId).slice(offset) : hits).map((h) => ({
      ...h,
      score: clampCosine(h.score),
    }));
    const kept = minScore === undefined ? ranked : ranked.filter((h) => h.score >= minScore);
    const edges = kept.slice(0, page.first).map((h, i) => {
      const { score } = h;
      const relevance = scale.relevance(score);
      const band = scale.band(score);
      return {
        image: toImageRecord(h),
        score,
        cursor: offsetCursor(offset + i),
        ...(relevance !== undefined ? { relevance } : {}),
        ...(band ? { band } : {}),
      };
    });
    return {
      edges,
      hasNextPage: kept.length > page.first,
      endCursor: edges.length ? edges[edges.length - 1]!.cursor : null,
      ...(minScore !== undefined ? { minScore } : {}),
      cutOff: kept.length < ranked.length,
    };
  }
}
