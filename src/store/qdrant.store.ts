import { randomBytes } from 'node:crypto';
import { QdrantClient, type Schemas } from '@qdrant/js-client-rest';
import { AppError, ErrorCode } from '../errors.js';
import {
  aliasTarget,
  chunk,
  classifyError,
  createCollectionBody,
  decodeScrollCursor,
  encodeScrollCursor,
  fromRecord,
  fromScored,
  ID_SCOPE_KEY,
  idScopeOf,
  initialFetch,
  metadataOf,
  needsDeeperFetch,
  payloadIndexSchema,
  physicalCollectionName,
  pointUuid,
  queryBody,
  rankPage,
  switchAliasActions,
  toPointStruct,
  toQdrantFilter,
  vectorSpecsOf,
  type ClusterOptions,
} from './qdrant.translate.js';
import {
  checkSameVectors,
  missingCollection,
  validateFilter,
  validateMetadata,
  validatePoints,
  validateScroll,
  validateSearch,
  validateSpec,
} from './validate.js';
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

/** What point operations need to know about a collection: its vectors and where its point ids come from. */
interface Layout {
  vectors: Record<string, VectorSpec>;
  /** The name the collection was created under; point UUIDs derive from it (see pointUuid). */
  scope: string;
}

/**
 * Collections are created as a physical collection `<name>__<random>` behind the alias `<name>`, so that
 * replaceCollection switches a name in one alias operation. Collections made by visem before aliases are
 * plain collections and keep working as they are.
 */
export class QdrantStore implements VectorStore {
  readonly backend = 'qdrant' as const;
  private readonly layouts = new Map<string, Layout>();

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

  private async layout(collection: string): Promise<Layout> {
    const cached = this.layouts.get(collection);
    if (cached) return cached;
    const info = await this.describe(collection);
    if (!info) throw missingCollection(collection);
    return info;
  }

  private async vectors(collection: string): Promise<Record<string, VectorSpec>> {
    return (await this.layout(collection)).vectors;
  }

  private async exists(collection: string): Promise<boolean> {
    // Qdrant resolves aliases here, as in every collection and point operation (not in deletes).
    const { exists } = await this.call('collection check', () => this.client.collectionExists(collection));
    return exists;
  }

  private async describe(collection: string): Promise<(Layout & { metadata: Payload }) | undefined> {
    if (!(await this.exists(collection))) return undefined;
    const info = await this.call('collection info', () => this.client.getCollection(collection));
    const layout = { vectors: vectorSpecsOf(collection, info), scope: idScopeOf(collection, info) };
    this.layouts.set(collection, layout);
    return { ...layout, metadata: metadataOf(info) };
  }

  /** The physical collection the alias `name` stands for; undefined for a plain collection or none. */
  private async aliasTarget(name: string): Promise<string | undefined> {
    const { aliases } = await this.call('list aliases', () => this.client.getAliases());
    return aliasTarget(aliases, name);
  }

  private async deleteCollection(physical: string): Promise<void> {
    await this.call('drop collection', () => this.client.deleteCollection(physical));
  }

  async ensureCollection(spec: CollectionSpec): Promise<void> {
    validateSpec(spec);
    let existing = await this.describe(spec.name);
    if (!existing) {
      await this.create(spec);
      existing = await this.describe(spec.name);
      if (!existing) throw missingCollection(spec.name);
    }
    checkSameVectors(spec.name, existing.vectors, spec.vectors);
    const physical = (await this.aliasTarget(spec.name)) ?? spec.name;
    for (const [field, type] of Object.entries(spec.indexedFields ?? {})) {
      // Idempotent on the server; keeps filters on these fields indexed rather than full scans.
      await this.call('create payload index', () =>
        this.client.createPayloadIndex(physical, {
          field_name: field,
          field_schema: payloadIndexSchema(type),
          wait: true,
        }),
      );
    }
  }

  /**
   * The physical collection first (its metadata set before anyone can reach it), then the alias. Another
   * api replica may claim the name meanwhile: whichever alias stands at the end wins and the other
   * physical collection is dropped (before it was written to, but for a write landing in the instant
   * between two replicas' alias operations).
   */
  private async create(spec: CollectionSpec): Promise<void> {
    const physical = physicalCollectionName(spec.name, randomBytes(4).toString('hex'));
    await this.call('create collection', () =>
      this.client.createCollection(physical, createCollectionBody(spec, this.options)),
    );
    try {
      // The client's createCollection does not pass metadata on: set it in a second step.
      await this.call('set collection metadata', () =>
        this.client.updateCollection(physical, { metadata: { ...spec.metadata, [ID_SCOPE_KEY]: spec.name } }),
      );
      if (!(await this.exists(spec.name))) {
        await this.call('create alias', () =>
          this.client.updateCollectionAliases({
            actions: [{ create_alias: { collection_name: physical, alias_name: spec.name } }],
          }),
        );
      }
    } catch (e) {
      if (!(await this.exists(spec.name).catch(() => false))) {
        await this.deleteCollection(physical).catch(() => undefined);
        throw e;
      }
    }
    if ((await this.aliasTarget(spec.name)) !== physical) await this.deleteCollection(physical);
  }

  async collectionInfo(collection: string): Promise<CollectionInfo | undefined> {
    const info = await this.describe(collection);
    if (!info) return undefined;
    return {
      name: collection,
      vectors: structuredClone(info.vectors),
      count: await this.count(collection),
      metadata: info.metadata,
    };
  }

  async dropCollection(collection: string): Promise<void> {
    this.layouts.delete(collection);
    // Deleting the physical collection removes its alias too; deleting by an alias name is a no-op.
    await this.deleteCollection((await this.aliasTarget(collection)) ?? collection);
  }

  async updateCollectionMetadata(collection: string, patch: Payload): Promise<void> {
    validateMetadata(patch);
    await this.layout(collection);
    // Qdrant merges top-level keys, as the contract asks.
    await this.call('update collection metadata', () =>
      this.client.updateCollection(collection, { metadata: patch }),
    );
  }

  async replaceCollection(target: string, source: string): Promise<void> {
    if (target === source) throw new AppError(ErrorCode.BAD_USER_INPUT, 'a collection cannot replace itself');
    this.layouts.delete(target);
    this.layouts.delete(source);
    const physical = await this.aliasTarget(source);
    if (physical === undefined) {
      if (!(await this.exists(source))) throw missingCollection(source);
      throw new AppError(
        ErrorCode.STORE_MISCONFIGURED,
        `collection "${source}" was made by an older visem (not behind an alias) and cannot take another name`,
        { collection: source },
      );
    }
    const old = await this.aliasTarget(target);
    if (old === undefined && (await this.exists(target))) {
      // A plain collection (made before aliases) must go before its name can become an alias. Not atomic:
      // a crash here leaves `target` missing and `source` whole; the same call again completes the switch.
      await this.deleteCollection(target);
    }
    await this.call('switch alias', () =>
      this.client.updateCollectionAliases({
        actions: switchAliasActions(target, old !== undefined, source, physical),
      }),
    );
    // A crash before this leaves the old physical collection unreferenced (space, not data, is lost).
    if (old !== undefined && old !== physical) await this.deleteCollection(old);
  }

  /**
   * Chunks of UPSERT_CHUNK, each acknowledged (wait: true) before the next and retried on transient
   * failures. Ids are deterministic, so a retried or repeated chunk is idempotent; a call that fails midway
   * leaves the earlier chunks written, which the contract allows (the caller repeats the call).
   */
  async upsert(collection: string, points: Point[]): Promise<void> {
    const { vectors, scope } = await this.layout(collection);
    validatePoints(collection, vectors, points);
    for (const part of chunk(points, UPSERT_CHUNK)) {
      const body = part.map((p) => toPointStruct(scope, p));
      await this.call('upsert', () => this.client.upsert(collection, { wait: true, points: body }));
    }
  }

  async get(collection: string, ids: string[], options?: { withVectors?: boolean }): Promise<StoredPoint[]> {
    const { scope } = await this.layout(collection);
    if (ids.length === 0) return [];
    const withVectors = options?.withVectors === true;
    const records = await this.call('retrieve', () =>
      this.client.retrieve(collection, {
        ids: [...new Set(ids)].map((id) => pointUuid(scope, id)),
        with_payload: true,
        with_vector: withVectors,
      }),
    );
    const byId = new Map(records.map((r) => fromRecord(r, withVectors)).map((p) => [p.id, p]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  async delete(collection: string, ids: string[]): Promise<number> {
    const { scope } = await this.layout(collection);
    const uuids = [...new Set(ids)].map((id) => pointUuid(scope, id));
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
    this.layouts.clear();
    return Promise.resolve();
  }
}
