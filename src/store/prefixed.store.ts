import type {
  CollectionInfo,
  CollectionSpec,
  Filter,
  Payload,
  Point,
  ScoredPoint,
  ScrollPage,
  ScrollRequest,
  SearchRequest,
  StoredPoint,
  VectorStore,
} from './vector-store.js';

/**
 * One store seen through a collection-name prefix (QDRANT_COLLECTION_PREFIX), so several visem
 * deployments, or test suites, can share one Qdrant without meeting: `images` is `<prefix>images` there.
 */
export class PrefixedStore implements VectorStore {
  constructor(
    private readonly inner: VectorStore,
    private readonly prefix: string,
  ) {}

  get backend(): VectorStore['backend'] {
    return this.inner.backend;
  }

  private n(collection: string): string {
    return `${this.prefix}${collection}`;
  }

  ensureCollection(spec: CollectionSpec): Promise<void> {
    return this.inner.ensureCollection({ ...spec, name: this.n(spec.name) });
  }

  async collectionInfo(collection: string): Promise<CollectionInfo | undefined> {
    const info = await this.inner.collectionInfo(this.n(collection));
    return info && { ...info, name: collection };
  }

  dropCollection(collection: string): Promise<void> {
    return this.inner.dropCollection(this.n(collection));
  }

  updateCollectionMetadata(collection: string, patch: Payload): Promise<void> {
    return this.inner.updateCollectionMetadata(this.n(collection), patch);
  }

  replaceCollection(target: string, source: string): Promise<void> {
    return this.inner.replaceCollection(this.n(target), this.n(source));
  }

  upsert(collection: string, points: Point[]): Promise<void> {
    return this.inner.upsert(this.n(collection), points);
  }

  get(collection: string, ids: string[], options?: { withVectors?: boolean }): Promise<StoredPoint[]> {
    return this.inner.get(this.n(collection), ids, options);
  }

  delete(collection: string, ids: string[]): Promise<number> {
    return this.inner.delete(this.n(collection), ids);
  }

  search(collection: string, request: SearchRequest): Promise<ScoredPoint[]> {
    return this.inner.search(this.n(collection), request);
  }

  count(collection: string, filter?: Filter): Promise<number> {
    return this.inner.count(this.n(collection), filter);
  }

  scroll(collection: string, request: ScrollRequest): Promise<ScrollPage> {
    return this.inner.scroll(this.n(collection), request);
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
