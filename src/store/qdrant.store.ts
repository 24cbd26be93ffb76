import { QdrantClient, type Schemas } from '@qdrant/js-client-rest';
import { AppError, ErrorCode } from '../errors.js';
import {
  chunk,
  classifyError,
  createCollectionBody,
  decodeScrollCursor,
  encodeScrollCursor,
  fromRecord,
  fromScored,
  initialFetch,
  needsDeeperFetch,
  payloadIndexSchema,
  pointUuid,
  queryBody,
  rankPage,
  toPointStruct,
  toQdrantFilter,
  vectorSpecsOf,
  type ClusterOptions,
} from './qdrant.translate.js';
import {
  checkSameVectors,
  missingCollection,
  validateFilter,
  validatePoints,
  validateScroll,
  validateSearch,
  validateSpec,
} from './validate.js';
import type {
  CollectionInfo,
  CollectionSpec,
  Filter,
  Point,
  ScoredPoint,
  ScrollPage,
  ScrollRequest,
  SearchRequest,
  StoredPoint,
  VectorSpec,
  VectorStore,
} from './vector-store.js';

export interface QdrantStoreOptions extends ClusterOptions {
  url: string;
  apiKey?: string;
  /** Per request. */
  timeoutMs: number;
  /** Extra attempts on transient failures (network, 5xx, 429); default 4. */
  retries?: number;
  /** First backoff; doubles each attempt (default 200 ms). */
  retryBaseMs?: number;
}

const UPSERT_CHUNK = 256;
/** Deepest ranking fetched to settle equal scores at a page end. */
const MAX_FETCH = 100_000;

export class QdrantStore implements VectorStore {
  readonly backend = 'qdrant' as const;
  private readonly specs = new Map<string, Record<string, VectorSpec>>();

  private constructor(
    private readonly client: QdrantClient,
    private readonly options: QdrantStoreOptions,
  ) {}

  /** Connects and checks the server answers; STORE_UNAVAILABLE / STORE_MISCONFIGURED otherwise. */
  static async connect(options: QdrantStoreOptions): Promise<QdrantStore> {
    let client: QdrantClient;
    try {
      client = new QdrantClient({
        url: options.url,
        ...(options.apiKey ? { apiKey: options.apiKey } : {}),
        timeout: options.timeoutMs,
        checkCompatibility: false,
      });
    } catch (e) {
      throw new AppError(
        ErrorCode.STORE_MISCONFIGURED,
        `invalid Qdrant settings: ${(e as Error).message}`,
        {},
        { cause: e },
      );
    }
    const store = new QdrantStore(client, options);
    await store.ping();
    return store;
  }

  /** Runs a request, retrying transient failures with exponential backoff and jitter. */
  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const retries = this.options.retries ?? 4;
    const base = this.options.retryBaseMs ?? 200;
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        const { transient, error } = classifyError(e, what);
        if (!transient || attempt >= retries) throw error;
        const retryAfter = (e as { retry_after?: unknown }).retry_after;
        const wait =
          typeof retryAfter === 'number' ? retryAfter * 1000 : base * 2 ** attempt * (0.5 + Math.random());
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  private async vectors(collection: string): Promise<Record<string, VectorSpec>> {
    const cached = this.specs.get(collection);
    if (cached) return cached;
    const info = await this.info(collection);
    if (!info) throw missingCollection(collection);
    return info;
  }

  private async info(collection: string): Promise<Record<string, VectorSpec> | undefined> {
    const { exists } = await this.call('collection check', () => this.client.collectionExists(collection));
    if (!exists) return undefined;
    const info = await this.call('collection info', () => this.client.getCollection(collection));
    const specs = vectorSpecsOf(collection, info);
    this.specs.set(collection, specs);
    return specs;
  }

  async ensureCollection(spec: CollectionSpec): Promise<void> {
    validateSpec(spec);
    let existing = await this.info(spec.name);
    if (!existing) {
      try {
        await this.call('create collection', () =>
          this.client.createCollection(spec.name, createCollectionBody(spec, this.options)),
        );
      } catch (e) {
        // Another api replica may have created it meanwhile (Qdrant answers 4xx "already exists"):
        // then compare with what is there; anything else is a real failure.
        if (!(await this.info(spec.name).catch(() => undefined))) throw e;
      }
      existing = await this.info(spec.name);
      if (!existing) throw missingCollection(spec.name);
    }
    checkSameVectors(spec.name, existing, spec.vectors);
    for (const [field, type] of Object.entries(spec.indexedFields ?? {})) {
      // Idempotent on the server; keeps filters on these fields indexed rather than full scans.
      await this.call('create payload index', () =>
        this.client.createPayloadIndex(spec.name, {
          field_name: field,
          field_schema: payloadIndexSchema(type),
          wait: true,
        }),
      );
    }
  }

  async collectionInfo(collection: string): Promise<CollectionInfo | undefined> {
    const vectors = await this.info(collection);
    if (!vectors) return undefined;
    return { name: collection, vectors: structuredClone(vectors), count: await this.count(collection) };
  }

  async dropCollection(collection: string): Promise<void> {
    this.specs.delete(collection);
    await this.call('drop collection', () => this.client.deleteCollection(collection));
  }

  /**
   * Chunks of UPSERT_CHUNK, each acknowledged (wait: true) before the next. Ids are deterministic, so a
   * retried or repeated chunk is idempotent; but a call that fails midway leaves earlier chunks written.
   */
  async upsert(collection: string, points: Point[]): Promise<void> {
    validatePoints(collection, await this.vectors(collection), points);
    for (const part of chunk(points, UPSERT_CHUNK)) {
      const body = part.map((p) => toPointStruct(collection, p));
      await this.call('upsert', () => this.client.upsert(collection, { wait: true, points: body }));
    }
  }

  async get(collection: string, ids: string[], options?: { withVectors?: boolean }): Promise<StoredPoint[]> {
    await this.vectors(collection);
    if (ids.length === 0) return [];
    const withVectors = options?.withVectors === true;
    const records = await this.call('retrieve', () =>
      this.client.retrieve(collection, {
        ids: [...new Set(ids)].map((id) => pointUuid(collection, id)),
        with_payload: true,
        with_vector: withVectors,
      }),
    );
    const byId = new Map(records.map((r) => fromRecord(r, withVectors)).map((p) => [p.id, p]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  async delete(collection: string, ids: string[]): Promise<number> {
    await this.vectors(collection);
    const uuids = [...new Set(ids)].map((id) => pointUuid(collection, id));
    if (uuids.length === 0) return 0;
    const existing = await this.call('retrieve', () =>
      this.client.retrieve(collection, { ids: uuids, with_payload: false, with_vector: false }),
    );
    if (existing.length > 0) {
      await this.call('delete', () =>
        this.client.delete(collection, { wait: true, points: existing.map((r) => r.id) }),
      );
    }
    return existing.length;
  }

  async search(collection: string, req: SearchRequest): Promise<ScoredPoint[]> {
    validateSearch(await this.vectors(collection), collection, req);
    let fetch = initialFetch(req);
    for (;;) {
      const { points } = await this.call('query', () => this.client.query(collection, queryBody(req, fetch)));
      if (!needsDeeperFetch(points, req, fetch) || fetch >= MAX_FETCH) {
        const withVectors = req.withVectors === true;
        return rankPage(
          points.map((p) => fromScored(p, withVectors)),
          req.offset ?? 0,
          req.limit,
        );
      }
      fetch = Math.min(MAX_FETCH, fetch * 2);
    }
  }

  async count(collection: string, filter?: Filter): Promise<number> {
    validateFilter(filter);
    await this.vectors(collection);
    const f = toQdrantFilter(filter);
    const res = await this.call('count', () =>
      this.client.count(collection, { exact: true, ...(f ? { filter: f } : {}) }),
    );
    return res.count;
  }

  /** Qdrant's own order (by point UUID); its next_page_offset, wrapped, is the cursor. */
  async scroll(collection: string, req: ScrollRequest): Promise<ScrollPage> {
    validateScroll(req);
    await this.vectors(collection);
    const withVectors = req.withVectors === true;
    const filter = toQdrantFilter(req.filter);
    const body: Schemas['ScrollRequest'] = {
      limit: req.limit,
      with_payload: true,
      with_vector: withVectors,
      ...(filter ? { filter } : {}),
      ...(req.cursor !== undefined ? { offset: decodeScrollCursor(req.cursor) } : {}),
    };
    const res = await this.call('scroll', () => this.client.scroll(collection, body));
    const next = encodeScrollCursor(res.next_page_offset as Schemas['ExtendedPointId'] | null | undefined);
    const points = res.points.map((r) => fromRecord(r, withVectors));
    return next === undefined ? { points } : { points, next };
  }

  async ping(): Promise<void> {
    await this.call('ping', () => this.client.versionInfo());
  }

  close(): Promise<void> {
    this.specs.clear();
    return Promise.resolve();
  }
}
