import type { Schemas } from '@qdrant/js-client-rest';
import { describe, expect, it } from 'vitest';
import { AppError, ErrorCode } from '../errors.js';
import {
  chunk,
  classifyError,
  createCollectionBody,
  decodeScrollCursor,
  encodeScrollCursor,
  fromRecord,
  fromScored,
  aliasTarget,
  ID_SCOPE_KEY,
  idScopeOf,
  initialFetch,
  metadataOf,
  physicalCollectionName,
  switchAliasActions,
  needsDeeperFetch,
  pointUuid,
  queryBody,
  rankPage,
  toPointStruct,
  toQdrantFilter,
  vectorSpecsOf,
} from './qdrant.translate.js';
import type { SearchRequest } from './vector-store.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('point ids', () => {
  it('are deterministic UUIDv5s, distinct per collection and id', () => {
    expect(pointUuid('images', 'abc')).toMatch(UUID_RE);
    expect(pointUuid('images', 'abc')).toBe(pointUuid('images', 'abc'));
    expect(pointUuid('images', 'abc')).not.toBe(pointUuid('words', 'abc'));
    expect(pointUuid('images', 'abc')).not.toBe(pointUuid('images', 'abd'));
  });

  it('keep the natural id in the payload and strip it on the way back', () => {
    const ps: Schemas['PointStruct'] = toPointStruct('words', {
      id: 'cat',
      vectors: { semantic: new Float32Array([0.5, 0.25]) },
      payload: { freq: 3 },
    });
    expect(ps).toEqual({
      id: pointUuid('words', 'cat'),
      vector: { semantic: [0.5, 0.25] },
      payload: { freq: 3, _id: 'cat' },
    });
    const rec: Schemas['Record'] = {
      id: ps.id,
      payload: { freq: 3, _id: 'cat' },
      vector: { semantic: [0.5, 0.25] },
    };
    const back = fromRecord(rec, true);
    expect(back.id).toBe('cat');
    expect(back.payload).toEqual({ freq: 3 });
    expect(back.vectors?.semantic).toEqual(new Float32Array([0.5, 0.25]));
    expect(fromRecord(rec, false).vectors).toBeUndefined();
  });

  it('refuses records without a natural id', () => {
    const rec: Schemas['Record'] = { id: 7, payload: { freq: 3 } };
    expect(() => fromRecord(rec, false)).toThrow(
      expect.objectContaining({ code: ErrorCode.STORE_MISCONFIGURED }) as Error,
    );
  });
});

describe('filters', () => {
  it('translates must / mustNot with match, anyOf and range', () => {
    const f: Schemas['Filter'] | undefined = toQdrantFilter({
      must: [
        { key: 'kind', match: 'photo' },
        { key: 'nsfw', match: false },
        { key: 'labels', anyOf: ['cat', 'dog'] },
        { key: 'width', range: { gte: 100, lt: 2000 } },
      ],
      mustNot: [
        { key: 'year', anyOf: [1999, 2000] },
        { key: 'score', range: { gt: 0.5 } },
      ],
    });
    expect(f).toEqual({
      must: [
        { key: 'kind', match: { value: 'photo' } },
        { key: 'nsfw', match: { value: false } },
        { key: 'labels', match: { any: ['cat', 'dog'] } },
        { key: 'width', range: { gte: 100, lt: 2000 } },
      ],
      must_not: [
        { key: 'year', match: { any: [1999, 2000] } },
        { key: 'score', range: { gt: 0.5 } },
      ],
    });
  });

  it('omits empty filters', () => {
    expect(toQdrantFilter(undefined)).toBeUndefined();
    expect(toQdrantFilter({ must: [], mustNot: [] })).toBeUndefined();
    expect(toQdrantFilter({ mustNot: [{ key: 'a', match: 1 }] })).toEqual({
      must_not: [{ key: 'a', match: { value: 1 } }],
    });
  });
});

describe('queries', () => {
  const base: SearchRequest = { using: 'semantic', vector: new Float32Array([1, 0]), limit: 10 };

  it('asks from offset 0 past the page end, with threshold, filter and exact', () => {
    const req: SearchRequest = {
      ...base,
      offset: 20,
      scoreThreshold: 0.25,
      exact: true,
      withVectors: true,
      filter: { must: [{ key: 'k', match: 'v' }] },
    };
    const body: Schemas['QueryRequest'] = queryBody(req, initialFetch(req));
    expect(body).toEqual({
      query: [1, 0],
      using: 'semantic',
      limit: 31,
      offset: 0,
      with_payload: true,
      with_vector: true,
      score_threshold: 0.25,
      filter: { must: [{ key: 'k', match: { value: 'v' } }] },
      params: { exact: true },
    });
    expect(queryBody(base, 11)).toEqual({
      query: [1, 0],
      using: 'semantic',
      limit: 11,
      offset: 0,
      with_payload: true,
      with_vector: false,
    });
  });

  const scored = (id: string, score: number): Schemas['ScoredPoint'] => ({
    id: pointUuid('c', id),
    version: 1,
    score,
    payload: { _id: id },
  });

  it('fetches deeper only when the page end ties with the last score returned', () => {
    const req = { ...base, limit: 2 };
    expect(needsDeeperFetch([scored('a', 0.9), scored('b', 0.8), scored('c', 0.8)], req, 3)).toBe(true);
    expect(needsDeeperFetch([scored('a', 0.9), scored('b', 0.8), scored('c', 0.7)], req, 3)).toBe(false);
    expect(needsDeeperFetch([scored('a', 0.9), scored('b', 0.8)], req, 3)).toBe(false);
  });

  it('ranks by score desc then id asc and cuts the page', () => {
    const pts = [scored('z', 0.5), scored('b', 0.9), scored('a', 0.5), scored('m', 0.5)].map((p) =>
      fromScored(p, false),
    );
    expect(rankPage(pts, 0, 10).map((p) => p.id)).toEqual(['b', 'a', 'm', 'z']);
    expect(rankPage(pts, 1, 2).map((p) => p.id)).toEqual(['a', 'm']);
    expect(rankPage(pts, 1, 2)[0]).toEqual({ id: 'a', payload: {}, score: 0.5 });
  });
});

describe('collections', () => {
  it('creates named cosine vectors with cluster settings', () => {
    const body: Schemas['CreateCollection'] = createCollectionBody(
      { name: 'images', vectors: { semantic: { size: 100 }, visual: { size: 1536 } } },
      { shardNumber: 2, replicationFactor: 2, writeConsistencyFactor: 1 },
    );
    expect(body).toEqual({
      vectors: { semantic: { size: 100, distance: 'Cosine' }, visual: { size: 1536, distance: 'Cosine' } },
      shard_number: 2,
      replication_factor: 2,
      write_consistency_factor: 1,
    });
    expect(createCollectionBody({ name: 'w', vectors: { s: { size: 3 } } }, {})).toEqual({
      vectors: { s: { size: 3, distance: 'Cosine' } },
    });
  });

  const info = (
    vectors: Schemas['VectorsConfig'],
    metadata?: Record<string, unknown>,
  ): Schemas['CollectionInfo'] => ({
    status: 'green',
    optimizer_status: 'ok',
    segments_count: 1,
    payload_schema: {},
    config: {
      params: { vectors },
      hnsw_config: { m: 16, ef_construct: 100, full_scan_threshold: 10000 },
      optimizer_config: {
        deleted_threshold: 0.2,
        vacuum_min_vector_number: 1000,
        default_segment_number: 0,
        flush_interval_sec: 5,
      },
      ...(metadata ? { metadata } : {}),
    },
  });

  it('keeps point ids of the name a collection was made under, and hides the backend metadata keys', () => {
    const v = { a: { size: 3, distance: 'Cosine' as const } };
    // Made before aliases: ids derive from the collection's own name, as they always did.
    expect(idScopeOf('images', info(v))).toBe('images');
    const made = info(v, { [ID_SCOPE_KEY]: 'images_reindex', visem: { identity: { x: 1 } } });
    expect(idScopeOf('images', made)).toBe('images_reindex');
    expect(metadataOf(made)).toEqual({ visem: { identity: { x: 1 } } });
    expect(metadataOf(info(v))).toEqual({});
    expect(pointUuid(idScopeOf('images', made), 'abc')).toBe(pointUuid('images_reindex', 'abc'));
  });

  it('switches an alias in one operation and names physical collections uniquely', () => {
    expect(physicalCollectionName('images', 'ab12cd34')).toBe('images__ab12cd34');
    const aliases = [
      { alias_name: 'images', collection_name: 'images__1' },
      { alias_name: 'images_reindex', collection_name: 'images_reindex__2' },
    ];
    expect(aliasTarget(aliases, 'images_reindex')).toBe('images_reindex__2');
    expect(aliasTarget(aliases, 'vocabulary')).toBeUndefined();
    expect(switchAliasActions('images', true, 'images_reindex', 'images_reindex__2')).toEqual([
      { delete_alias: { alias_name: 'images' } },
      { delete_alias: { alias_name: 'images_reindex' } },
      { create_alias: { collection_name: 'images_reindex__2', alias_name: 'images' } },
    ]);
    expect(switchAliasActions('images', false, 's', 's__9')).toEqual([
      { delete_alias: { alias_name: 's' } },
      { create_alias: { collection_name: 's__9', alias_name: 'images' } },
    ]);
  });

  it('reads named vector sizes and rejects unnamed or non-cosine vectors', () => {
    expect(
      vectorSpecsOf('c', info({ a: { size: 3, distance: 'Cosine' }, b: { size: 5, distance: 'Cosine' } })),
    ).toEqual({
      a: { size: 3 },
      b: { size: 5 },
    });
    expect(() => vectorSpecsOf('c', info({ size: 3, distance: 'Cosine' }))).toThrow(/no named vectors/);
    expect(() => vectorSpecsOf('c', info({ a: { size: 3, distance: 'Dot' } }))).toThrow(/Dot distance/);
  });
});

describe('scroll cursors', () => {
  it('round-trip next_page_offset and reject garbage', () => {
    const id = pointUuid('c', 'x');
    expect(decodeScrollCursor(encodeScrollCursor(id)!)).toBe(id);
    expect(decodeScrollCursor(encodeScrollCursor(42)!)).toBe(42);
    expect(encodeScrollCursor(null)).toBeUndefined();
    expect(() => decodeScrollCursor('not-json')).toThrow(
      expect.objectContaining({ code: ErrorCode.BAD_USER_INPUT }) as Error,
    );
  });

  it('chunks batches', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });
});

describe('errors', () => {
  const apiError = (status: number): Error =>
    Object.assign(new Error('x'), { status, data: { status: { error: 'boom' } } });

  it('retries network failures, 5xx and 429 as STORE_UNAVAILABLE', () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    for (const e of [refused, apiError(503), apiError(429)]) {
      const c = classifyError(e, 'upsert');
      expect(c.transient).toBe(true);
      expect(c.error.code).toBe(ErrorCode.STORE_UNAVAILABLE);
    }
    expect(classifyError(refused, 'ping').error.message).toContain('ECONNREFUSED');
  });

  it('does not retry 4xx: STORE_MISCONFIGURED, with the server message', () => {
    const c = classifyError(apiError(401), 'ping');
    expect(c).toMatchObject({ transient: false, error: { code: ErrorCode.STORE_MISCONFIGURED } });
    expect(c.error.message).toMatch(/boom.*QDRANT_API_KEY/);
    expect(classifyError(apiError(400), 'query').error.details).toEqual({ status: 400 });
    const own = new AppError(ErrorCode.BAD_USER_INPUT, 'x');
    expect(classifyError(own, 'q')).toEqual({ transient: false, error: own });
  });
});
