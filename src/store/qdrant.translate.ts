import type { Schemas } from '@qdrant/js-client-rest';
import { v5 as uuidv5 } from 'uuid';
import { AppError, ErrorCode } from '../errors.js';
import { compareScored, RESERVED_ID_KEY } from './validate.js';
import type {
  CollectionSpec,
  Condition,
  FieldType,
  Filter,
  Payload,
  Point,
  ScoredPoint,
  SearchRequest,
  StoredPoint,
  VectorSpec,
} from './vector-store.js';

/**
 * Pure translation between the VectorStore contract and Qdrant's REST schemas (no I/O), so it can be
 * unit-tested against the client's own OpenAPI types.
 */

/** Fixed namespace for point ids: Qdrant accepts only unsigned integers and UUIDs. */
const ID_NAMESPACE = '6f1c3b1e-9d4a-5c2e-8f7b-2a9e4d6c1b03';

/**
 * `scope` is the name the collection was created under (see idScopeOf), so a point keeps its UUID when
 * the collection is later reached under another name (replaceCollection).
 */
export function pointUuid(scope: string, id: string): string {
  // NUL cannot occur in a collection name, so (collection, id) pairs never collide.
  return uuidv5(`${scope}\u0000${id}`, ID_NAMESPACE);
}

/** Metadata key (reserved: contract metadata keys never start with `_`) naming a collection's id scope. */
export const ID_SCOPE_KEY = '_visem_point_ids';

/** The physical collection behind the alias `name`: unique, so an old one and a new one can coexist. */
export function physicalCollectionName(name: string, random: string): string {
  return `${name}__${random}`;
}

/** Collections made before aliases have no recorded scope: their ids were derived from their name. */
export function idScopeOf(collection: string, info: Schemas['CollectionInfo']): string {
  const scope = info.config.metadata?.[ID_SCOPE_KEY];
  return typeof scope === 'string' ? scope : collection;
}

/** The contract's view of a collection's metadata: the backend's own (`_`) keys left out. */
export function metadataOf(info: Schemas['CollectionInfo']): Payload {
  const raw = (info.config.metadata ?? {}) as Payload;
  return Object.fromEntries(Object.entries(raw).filter(([k]) => !k.startsWith('_')));
}

export function aliasTarget(aliases: Schemas['AliasDescription'][], name: string): string | undefined {
  return aliases.find((a) => a.alias_name === name)?.collection_name;
}

/**
 * One alias operation (Qdrant applies its actions together, under its collections lock): `target` now
 * names `physical`, and the alias `source` that named it is gone.
 */
export function switchAliasActions(
  target: string,
  targetIsAlias: boolean,
  source: string,
  physical: string,
): Schemas['AliasOperations'][] {
  return [
    ...(targetIsAlias ? [{ delete_alias: { alias_name: target } }] : []),
    { delete_alias: { alias_name: source } },
    { create_alias: { collection_name: physical, alias_name: target } },
  ];
}

function fieldCondition(c: Condition): Schemas['FieldCondition'] {
  if ('match' in c) return { key: c.key, match: { value: c.match } };
  if ('anyOf' in c) return { key: c.key, match: { any: c.anyOf as string[] | number[] } };
  const range: Schemas['Range'] = {};
  for (const k of ['gt', 'gte', 'lt', 'lte'] as const) if (c.range[k] !== undefined) range[k] = c.range[k];
  return { key: c.key, range };
}

export function toQdrantFilter(filter: Filter | undefined): Schemas['Filter'] | undefined {
  const must = (filter?.must ?? []).map(fieldCondition);
  const mustNot = (filter?.mustNot ?? []).map(fieldCondition);
  if (must.length === 0 && mustNot.length === 0) return undefined;
  return { ...(must.length ? { must } : {}), ...(mustNot.length ? { must_not: mustNot } : {}) };
}

const FIELD_SCHEMA: Record<FieldType, Schemas['PayloadSchemaType']> = {
  keyword: 'keyword',
  bool: 'bool',
  integer: 'integer',
  float: 'float',
};

export function payloadIndexSchema(type: FieldType): Schemas['PayloadSchemaType'] {
  return FIELD_SCHEMA[type];
}

export interface ClusterOptions {
  shardNumber?: number;
  replicationFactor?: number;
  writeConsistencyFactor?: number;
}

export function createCollectionBody(
  spec: CollectionSpec,
  cluster: ClusterOptions,
): Schemas['CreateCollection'] {
  const vectors: Record<string, Schemas['VectorParams']> = {};
  for (const [name, v] of Object.entries(spec.vectors)) vectors[name] = { size: v.size, distance: 'Cosine' };
  return {
    vectors,
    ...(cluster.shardNumber ? { shard_number: cluster.shardNumber } : {}),
    ...(cluster.replicationFactor ? { replication_factor: cluster.replicationFactor } : {}),
    ...(cluster.writeConsistencyFactor ? { write_consistency_factor: cluster.writeConsistencyFactor } : {}),
  };
}

/**
 * Named vector sizes of an existing collection. A collection with one unnamed vector, or a distance other
 * than cosine, was not made by this app and is reported rather than used.
 */
export function vectorSpecsOf(
  collection: string,
  info: Schemas['CollectionInfo'],
): Record<string, VectorSpec> {
  const vectors = info.config.params.vectors;
  if (!vectors || 'size' in vectors) {
    throw new AppError(ErrorCode.DIMENSION_MISMATCH, `collection "${collection}" has no named vectors`, {
      collection,
    });
  }
  const out: Record<string, VectorSpec> = {};
  for (const [name, params] of Object.entries(vectors)) {
    if (!params) continue;
    if (params.distance !== 'Cosine') {
      throw new AppError(
        ErrorCode.STORE_MISCONFIGURED,
        `vector "${name}" of collection "${collection}" uses ${params.distance} distance, not Cosine`,
        { collection, vector: name },
      );
    }
    out[name] = { size: params.size };
  }
  return out;
}

export function toPointStruct(scope: string, p: Point): Schemas['PointStruct'] {
  const vector: Record<string, number[]> = {};
  for (const [name, v] of Object.entries(p.vectors)) vector[name] = Array.from(v);
  return { id: pointUuid(scope, p.id), vector, payload: { ...p.payload, [RESERVED_ID_KEY]: p.id } };
}

/** A stored point back in contract form: natural id from the payload, which is stripped of it. */
export function fromRecord(r: Schemas['Record'] | Schemas['ScoredPoint'], withVectors: boolean): StoredPoint {
  const raw = (r.payload ?? {}) as Payload;
  const id = raw[RESERVED_ID_KEY];
  if (typeof id !== 'string') {
    throw new AppError(
      ErrorCode.STORE_MISCONFIGURED,
      `point ${String(r.id)} has no "${RESERVED_ID_KEY}" in its payload`,
    );
  }
  const { [RESERVED_ID_KEY]: _drop, ...payload } = raw;
  const out: StoredPoint = { id, payload };
  if (withVectors && r.vector && !Array.isArray(r.vector)) {
    const vectors: Record<string, Float32Array> = {};
    for (const [name, v] of Object.entries(r.vector)) {
      if (Array.isArray(v) && (v.length === 0 || typeof v[0] === 'number'))
        vectors[name] = Float32Array.from(v as number[]);
    }
    out.vectors = vectors;
  }
  return out;
}

export function fromScored(r: Schemas['ScoredPoint'], withVectors: boolean): ScoredPoint {
  return { ...fromRecord(r, withVectors), score: r.score };
}

/**
 * Qdrant pages with `offset` but breaks equal scores by its internal order, not by id. So a page is
 * cut from a ranking that starts at 0 and runs past the page end, re-sorted by (score desc, id asc);
 * `fetch` is how deep to ask for (see needsDeeperFetch).
 */
export function queryBody(req: SearchRequest, fetch: number): Schemas['QueryRequest'] {
  const filter = toQdrantFilter(req.filter);
  return {
    query: Array.from(req.vector),
    using: req.using,
    limit: fetch,
    offset: 0,
    with_payload: true,
    with_vector: req.withVectors === true,
    ...(req.scoreThreshold !== undefined ? { score_threshold: req.scoreThreshold } : {}),
    ...(filter ? { filter } : {}),
    ...(req.exact ? { params: { exact: true } } : {}),
  };
}

/** First depth to ask for: the page end plus one, to see whether the score at the page end continues. */
export function initialFetch(req: SearchRequest): number {
  return (req.offset ?? 0) + req.limit + 1;
}

/**
 * True when the response filled `fetch` and its last score equals the score at the page end: points
 * with that score may lie beyond, and one of them could sort (by id) into the page.
 */
export function needsDeeperFetch(
  points: Schemas['ScoredPoint'][],
  req: SearchRequest,
  fetch: number,
): boolean {
  const end = (req.offset ?? 0) + req.limit - 1;
  if (points.length < fetch || points.length <= end) return false;
  return points[points.length - 1]!.score === points[end]!.score;
}

export function rankPage(points: ScoredPoint[], offset: number, limit: number): ScoredPoint[] {
  return [...points].sort(compareScored).slice(offset, offset + limit);
}

export function encodeScrollCursor(next: Schemas['ExtendedPointId'] | null | undefined): string | undefined {
  if (next === null || next === undefined) return undefined;
  return Buffer.from(JSON.stringify(next), 'utf8').toString('base64url');
}

export function decodeScrollCursor(cursor: string): Schemas['ExtendedPointId'] {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v) && v >= 0)) return v;
  } catch {
    /* reported below */
  }
  throw new AppError(ErrorCode.BAD_USER_INPUT, 'invalid scroll cursor');
}

export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface ClassifiedError {
  /** Worth retrying: network failure, timeout, 5xx, 429. */
  transient: boolean;
  error: AppError;
}

/** Maps what the client throws (ApiError with `status`, fetch TypeError, client timeout) to AppError. */
export function classifyError(e: unknown, what: string): ClassifiedError {
  if (e instanceof AppError) return { transient: false, error: e };
  const err = e as {
    status?: unknown;
    name?: unknown;
    message?: unknown;
    data?: unknown;
    cause?: { code?: unknown };
  };
  const status = typeof err.status === 'number' ? err.status : undefined;
  const detail = describe(err);
  if (status === undefined) {
    // No HTTP response: refused, reset, DNS, timeout. Qdrant's 429 with Retry-After arrives without status.
    const transient = err.name !== 'QdrantClientConfigError';
    const code = transient ? ErrorCode.STORE_UNAVAILABLE : ErrorCode.STORE_MISCONFIGURED;
    return { transient, error: new AppError(code, `Qdrant ${what} failed: ${detail}`, {}, { cause: e }) };
  }
  if (status >= 500 || status === 429) {
    return {
      transient: true,
      error: new AppError(
        ErrorCode.STORE_UNAVAILABLE,
        `Qdrant ${what} failed: HTTP ${status} ${detail}`,
        { status },
        { cause: e },
      ),
    };
  }
  const hint = status === 401 || status === 403 ? ' (check QDRANT_API_KEY)' : '';
  return {
    transient: false,
    error: new AppError(
      ErrorCode.STORE_MISCONFIGURED,
      `Qdrant ${what} failed: HTTP ${status} ${detail}${hint}`,
      { status },
      { cause: e },
    ),
  };
}

function describe(err: { message?: unknown; data?: unknown; cause?: { code?: unknown } }): string {
  const data = err.data as { status?: { error?: unknown } } | undefined;
  const serverError = data?.status?.error;
  if (typeof serverError === 'string') return serverError;
  const code = typeof err.cause?.code === 'string' ? ` (${err.cause.code})` : '';
  return `${typeof err.message === 'string' ? err.message : 'unknown error'}${code}`;
}
