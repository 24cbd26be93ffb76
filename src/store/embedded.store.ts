import fs from 'node:fs';
import path from 'node:path';
import { AppError, ErrorCode, isAppError } from '../errors.js';
import { normalize } from '../vectors.js';
import { DEFAULT_ANN_PARAMS, removeAnnFiles, type AnnParams } from './embedded/ann-index.js';
import { CollectionAnn, type AnnStats } from './embedded/ann-manager.js';
import { compileFilter } from './embedded/filter.js';
import { MemoryCollection } from './embedded/memory-collection.js';
import * as sql from './embedded/sqlite-points.js';
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
  VectorStore,
} from './vector-store.js';

export interface EmbeddedStoreOptions {
  /** Directory for the SQLite file and the ANN index files; created if missing. */
  dir: string;
  /** Collections with at least this many points get an ANN index per named vector (default 20,000). */
  annMinPoints?: number;
  annParams?: Partial<AnnParams>;
  /** Threads for building an index (0 = all cores). */
  annBuildThreads?: number;
  /** Quiet time after the last write before an index (re)build starts (default 1000 ms; 0 = at once). */
  annBuildDelayMs?: number;
}

export type { AnnStats };

interface Coll {
  stored: sql.StoredCollection;
  mem: MemoryCollection;
  writer: sql.PointWriter;
  ann: CollectionAnn;
}

export class EmbeddedStore implements VectorStore {
  readonly backend = 'embedded' as const;
  private readonly colls = new Map<string, Coll>();
  private closed = false;
  private lastBuildError: unknown;

  private constructor(
    private readonly db: sql.Db,
    private readonly annDir: string,
    private readonly annMinPoints: number,
    private readonly annParams: AnnParams,
    private readonly buildThreads: number,
    private readonly buildDelayMs: number,
  ) {}

  static open(options: EmbeddedStoreOptions): Promise<EmbeddedStore> {
    return Promise.resolve().then(() =>
      guard(() => {
        const annDir = path.join(options.dir, 'ann');
        fs.mkdirSync(annDir, { recursive: true });
        removeAnnFiles(annDir); // temp files of builds that a crash interrupted
        const db = sql.openDb(path.join(options.dir, 'visem.db'));
        const params = { ...DEFAULT_ANN_PARAMS, ...options.annParams };
        const store = new EmbeddedStore(
          db,
          annDir,
          options.annMinPoints ?? 20_000,
          params,
          options.annBuildThreads ?? 0,
          options.annBuildDelayMs ?? 1000,
        );
        for (const stored of sql.listCollections(db)) store.load(stored);
        return store;
      }),
    );
  }

  private load(stored: sql.StoredCollection): void {
    const c = this.attach(stored);
    const dims = c.mem.dims;
    for (const row of sql.iterateRows(this.db, stored.cid, dims.length)) {
      const slot = c.mem.put(row.rid, row.id, JSON.parse(row.payload) as StoredPoint['payload']);
      row.blobs.forEach((b, v) => sql.copyBlob(b, c.mem.matrices[v]!, slot * dims[v]!, dims[v]!));
    }
    c.ann.loadSaved();
  }

  private attach(stored: sql.StoredCollection): Coll {
    const dims = stored.vectorNames.map((n) => stored.spec.vectors[n]!.size);
    const mem = new MemoryCollection(dims);
    const c: Coll = {
      stored,
      mem,
      writer: sql.pointWriter(this.db, stored.cid, dims.length),
      ann: new CollectionAnn(mem, {
        dir: this.annDir,
        cid: stored.cid,
        params: this.annParams,
        minPoints: this.annMinPoints,
        buildThreads: this.buildThreads,
        buildDelayMs: this.buildDelayMs,
        sequence: () => sql.sequence(this.db, stored.cid),
        live: () => !this.closed && this.colls.get(stored.spec.name) === c,
        onError: (e) => (this.lastBuildError = e),
      }),
    };
    this.colls.set(stored.spec.name, c);
    return c;
  }

  private coll(name: string): Coll {
    if (this.closed) throw new AppError(ErrorCode.STORE_UNAVAILABLE, 'embedded store is closed');
    const c = this.colls.get(name);
    if (!c) throw missingCollection(name);
    return c;
  }

  ensureCollection(spec: CollectionSpec): Promise<void> {
    return run(() => {
      validateSpec(spec);
      if (this.closed) throw new AppError(ErrorCode.STORE_UNAVAILABLE, 'embedded store is closed');
      const existing = this.colls.get(spec.name);
      if (existing) return checkSameVectors(spec.name, existing.stored.spec.vectors, spec.vectors);
      this.attach(sql.createCollection(this.db, spec));
    });
  }

  collectionInfo(collection: string): Promise<CollectionInfo | undefined> {
    return run(() => {
      if (this.closed) throw new AppError(ErrorCode.STORE_UNAVAILABLE, 'embedded store is closed');
      const c = this.colls.get(collection);
      return c && { name: collection, vectors: structuredClone(c.stored.spec.vectors), count: c.mem.count };
    });
  }

  dropCollection(collection: string): Promise<void> {
    return run(() => {
      if (this.closed) throw new AppError(ErrorCode.STORE_UNAVAILABLE, 'embedded store is closed');
      const c = this.colls.get(collection);
      if (!c) return;
      c.ann.cancel();
      sql.dropCollection(this.db, c.stored.cid);
      this.colls.delete(collection);
      removeAnnFiles(this.annDir, c.stored.cid);
    });
  }

  upsert(collection: string, points: Point[]): Promise<void> {
    return run(() => {
      const c = this.coll(collection);
      validatePoints(collection, c.stored.spec.vectors, points);
      if (points.length === 0) return;
      const rows = points.map((p) => ({
        id: p.id,
        payloadJson: JSON.stringify(p.payload),
        // Stored normalised, as Qdrant does for cosine: reads return unit vectors on both backends.
        vectors: c.stored.vectorNames.map((n) => normalize(p.vectors[n]!)),
      }));
      const rids = c.writer.upsert(rows); // one transaction; memory is touched only after it committed
      rows.forEach((r, i) => {
        const old = c.mem.idToSlot.get(r.id);
        if (old !== undefined) c.ann.removed(old);
        const slot = c.mem.put(rids[i]!, r.id, JSON.parse(r.payloadJson) as Point['payload']);
        r.vectors.forEach((vec, v) => c.mem.setVector(slot, v, vec));
        c.ann.added(slot);
      });
      c.ann.maybeBuild();
    });
  }

  get(collection: string, ids: string[], options?: { withVectors?: boolean }): Promise<StoredPoint[]> {
    return run(() => {
      const c = this.coll(collection);
      const out: StoredPoint[] = [];
      for (const id of ids) {
        const slot = c.mem.idToSlot.get(id);
        if (slot !== undefined) out.push(this.pointAt(c, slot, options?.withVectors));
      }
      return out;
    });
  }

  delete(collection: string, ids: string[]): Promise<number> {
    return run(() => {
      const c = this.coll(collection);
      const existed = c.writer.delete([...new Set(ids)]);
      for (const id of existed) {
        const slot = c.mem.remove(id);
        if (slot !== undefined) c.ann.removed(slot);
      }
      if (existed.length > 0) c.ann.maybeBuild();
      return existed.length;
    });
  }

  search(collection: string, req: SearchRequest): Promise<ScoredPoint[]> {
    return run(() => {
      const c = this.coll(collection);
      validateSearch(c.stored.spec.vectors, collection, req);
      const v = c.stored.vectorNames.indexOf(req.using);
      const query = normalize(req.vector);
      const offset = req.offset ?? 0;
      const needed = offset + req.limit;
      const pred = compileFilter(req.filter);
      const hits =
        req.exact || !c.ann.ready(v)
          ? c.mem.exactTopK(v, query, needed, pred, req.scoreThreshold)
          : c.ann.search(v, query, needed, pred, req.scoreThreshold);
      return hits.slice(offset).map((h) => ({ ...this.pointAt(c, h.slot, req.withVectors), score: h.score }));
    });
  }

  count(collection: string, filter?: Filter): Promise<number> {
    return run(() => {
      const c = this.coll(collection);
      validateFilter(filter);
      const pred = compileFilter(filter);
      if (!pred) return c.mem.count;
      let n = 0;
      for (const p of c.mem.payloads) if (p && pred(p)) n++;
      return n;
    });
  }

  scroll(collection: string, req: ScrollRequest): Promise<ScrollPage> {
    return run(() => {
      const c = this.coll(collection);
      validateScroll(req);
      const after = req.cursor === undefined ? undefined : decodeCursor(req.cursor);
      const pred = compileFilter(req.filter);
      const points: StoredPoint[] = [];
      let more = false;
      // Ordered by id in SQLite (the id index), matched against the in-memory payloads.
      for (const id of sql.iterateIdsAfter(this.db, c.stored.cid, after)) {
        const slot = c.mem.idToSlot.get(id);
        if (slot === undefined || (pred && !pred(c.mem.payloads[slot]!))) continue;
        if (points.length === req.limit) {
          more = true;
          break;
        }
        points.push(this.pointAt(c, slot, req.withVectors));
      }
      const lastId = points[points.length - 1]?.id;
      return more && lastId !== undefined ? { points, next: encodeCursor(lastId) } : { points };
    });
  }

  ping(): Promise<void> {
    return run(() => {
      if (this.closed) throw new AppError(ErrorCode.STORE_UNAVAILABLE, 'embedded store is closed');
      this.db.prepare('SELECT 1').get();
    });
  }

  close(): Promise<void> {
    return run(() => {
      if (this.closed) return;
      this.closed = true;
      for (const c of this.colls.values()) c.ann.cancel();
      this.db.close();
    });
  }

  /** Builds any ANN index that is due and waits for builds in flight; for tests, benchmarks and the CLI. */
  buildIndexes(collection: string): Promise<void> {
    return this.coll(collection).ann.settle();
  }

  annStats(collection: string): AnnStats[] {
    const c = this.coll(collection);
    return c.ann.stats(c.stored.vectorNames);
  }

  get buildError(): unknown {
    return this.lastBuildError;
  }

  private pointAt(c: Coll, slot: number, withVectors?: boolean): StoredPoint {
    const p: StoredPoint = { id: c.mem.ids[slot]!, payload: structuredClone(c.mem.payloads[slot]!) };
    if (withVectors)
      p.vectors = Object.fromEntries(c.stored.vectorNames.map((n, v) => [n, c.mem.vector(slot, v)]));
    return p;
  }
}

function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(cursor) || cursor.length === 0) {
    throw new AppError(ErrorCode.BAD_USER_INPUT, 'invalid scroll cursor');
  }
  return Buffer.from(cursor, 'base64url').toString('utf8');
}

/** SQLite and file-system failures become STORE_UNAVAILABLE; AppErrors pass through. */
function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isAppError(e)) throw e;
    throw new AppError(
      ErrorCode.STORE_UNAVAILABLE,
      `embedded store failed: ${(e as Error).message}`,
      {},
      { cause: e },
    );
  }
}

/** The work is synchronous; a throw becomes a rejection, never an exception out of an async method. */
function run<T>(fn: () => T): Promise<T> {
  return new Promise((resolve) => resolve(guard(fn)));
}
