/**
 * The one storage contract the services use. Two implementations: EmbeddedStore (default, no server)
 * and QdrantStore. Shaped by what the services need, not by either backend's API.
 *
 * Conventions every implementation keeps:
 * - ids are natural strings (a content hash for images, the word itself for vocabulary entries);
 * - vectors are named (e.g. `semantic`, `visual`), each with a fixed size; scores are cosine similarity
 *   in [-1, 1], higher is better, for whichever vector is searched;
 * - results are ordered by score descending, ties broken by id ascending, so paging with offsets is stable;
 * - a write that resolved is durable and visible to the next read; a write never leaves a torn point, and
 *   every write is idempotent, so a caller whose write threw repeats it to completion (see upsert);
 * - failures are AppError with code STORE_UNAVAILABLE, STORE_MISCONFIGURED, DIMENSION_MISMATCH or
 *   BAD_USER_INPUT; using a collection that does not exist is STORE_MISCONFIGURED (collections are ensured
 *   at startup);
 * - every point carries every named vector of its collection; vectors are stored unit-length (cosine
 *   collections normalise on write, as Qdrant does), so vectors read back are normalised copies;
 * - the payload key `_id` is reserved (the Qdrant backend keeps the natural id there), and so are
 *   collection metadata keys starting with `_`;
 * - a collection carries a small JSON metadata object (the app records there which models wrote it),
 *   read back by collectionInfo, merged by updateCollectionMetadata, moved with the collection by
 *   replaceCollection;
 * - filters follow Qdrant's semantics: `match` takes a string, integer or boolean, `anyOf` all strings or
 *   all integers; an array-valued field matches when any element does; a missing field fails every
 *   condition (so `mustNot` keeps such points); keys may be dotted paths into nested objects.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type Payload = Record<string, JsonValue>;

export interface VectorSpec {
  size: number;
}

/** Payload field types that can be filtered on; backends index them. */
export type FieldType = 'keyword' | 'bool' | 'integer' | 'float';

export interface CollectionSpec {
  name: string;
  /** Named vectors, e.g. { semantic: { size: 100 }, visual: { size: 1536 } }. Distance is always cosine. */
  vectors: Record<string, VectorSpec>;
  /** Payload fields used in filters. */
  indexedFields?: Record<string, FieldType>;
  /** Collection metadata set when ensureCollection creates it (an existing collection keeps its own). */
  metadata?: Payload;
}

export interface Point {
  id: string;
  vectors: Record<string, Float32Array>;
  payload: Payload;
}

/** A point as read back: vectors only when asked for. */
export interface StoredPoint {
  id: string;
  payload: Payload;
  vectors?: Record<string, Float32Array>;
}

export type Condition =
  | { key: string; match: string | number | boolean }
  | { key: string; anyOf: (string | number)[] }
  | { key: string; range: { gt?: number; gte?: number; lt?: number; lte?: number } };

/** All of `must` hold and none of `mustNot`. */
export interface Filter {
  must?: Condition[];
  mustNot?: Condition[];
}

export interface SearchRequest {
  /** Which named vector to compare with. */
  using: string;
  vector: Float32Array;
  limit: number;
  offset?: number;
  /** Only results with score >= this. */
  scoreThreshold?: number;
  filter?: Filter;
  withVectors?: boolean;
  /** Force exact (brute-force) search, for tests and recall measurements. */
  exact?: boolean;
}

export interface ScoredPoint extends StoredPoint {
  score: number;
}

export interface ScrollRequest {
  limit: number;
  /** Opaque cursor from a previous page's `next`. */
  cursor?: string;
  filter?: Filter;
  withVectors?: boolean;
}

export interface ScrollPage {
  points: StoredPoint[];
  /** Cursor for the following page; absent on the last page. */
  next?: string;
}

export interface CollectionInfo {
  name: string;
  vectors: Record<string, VectorSpec>;
  count: number;
  /** The collection's metadata; `{}` when none was ever set. */
  metadata: Payload;
}

export interface VectorStore {
  readonly backend: 'embedded' | 'qdrant';
  /**
   * Create the collection if missing. If it exists with different vector names or sizes, throw
   * DIMENSION_MISMATCH naming the stored and the expected sizes; never drop data silently.
   */
  ensureCollection(spec: CollectionSpec): Promise<void>;
  /** Undefined when the collection does not exist. */
  collectionInfo(collection: string): Promise<CollectionInfo | undefined>;
  dropCollection(collection: string): Promise<void>;
  /**
   * Merges `patch` into the collection's metadata, key by key at the top level (a key given replaces the
   * stored value whole; keys not given are kept). Durable once resolved. STORE_MISCONFIGURED when the
   * collection does not exist; BAD_USER_INPUT for keys starting with `_` or more than 64 KiB of JSON.
   */
  updateCollectionMetadata(collection: string, patch: Payload): Promise<void>;
  /**
   * Makes the name `target` refer to what `source` holds (points, vectors, metadata), dropping what
   * `target` held, and retires the name `source`: afterwards `collectionInfo(source)` is undefined.
   * Readers of `target` see the old collection or the new one, never a mix and never a partial one
   * (embedded: one transaction; Qdrant: one alias switch, except that a `target` created by a visem
   * older than aliases is deleted just before the switch). STORE_MISCONFIGURED when `source` is missing.
   */
  replaceCollection(target: string, source: string): Promise<void>;
  /**
   * Insert or replace whole points; vector sizes are checked first (DIMENSION_MISMATCH), so bad input
   * writes nothing. Idempotent: the same call again gives the same state. A call that resolved wrote every
   * point; one that threw wrote each point whole or not at all and may have written some of them (the
   * embedded store writes one transaction, so none; Qdrant writes chunks of 256 in order, so a prefix).
   * Callers repeat a failed call to complete it: the ingest request, `visem ingest`, the vocabulary import,
   * reindex and `visem import` are all safe to repeat.
   */
  upsert(collection: string, points: Point[]): Promise<void>;
  /** Points that exist, in the order of `ids`; missing ids are skipped. */
  get(collection: string, ids: string[], options?: { withVectors?: boolean }): Promise<StoredPoint[]>;
  /** Returns how many of the ids existed. */
  delete(collection: string, ids: string[]): Promise<number>;
  search(collection: string, request: SearchRequest): Promise<ScoredPoint[]>;
  count(collection: string, filter?: Filter): Promise<number>;
  /** Every point exactly once across pages, in a stable order. */
  scroll(collection: string, request: ScrollRequest): Promise<ScrollPage>;
  /** Throws STORE_UNAVAILABLE when the store cannot serve requests. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Every page of a collection, in the store's stable scroll order (the caller may write between pages). */
export async function* scrollPages(
  store: VectorStore,
  collection: string,
  request: Omit<ScrollRequest, 'cursor'>,
): AsyncGenerator<StoredPoint[]> {
  let cursor: string | undefined;
  do {
    const page = await store.scroll(collection, { ...request, ...(cursor ? { cursor } : {}) });
    yield page.points;
    cursor = page.next;
  } while (cursor);
}
