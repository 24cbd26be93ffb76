import fs from 'node:fs';
import path from 'node:path';
import { AppError, ErrorCode } from '../errors.js';
import { normalize } from '../vectors.js';
import { DEFAULT_ANN_PARAMS, removeAnnFiles, type AnnParams } from './embedded/ann-index.js';
import { type AnnStats } from './embedded/ann-manager.js';
import { compileFilter } from './embedded/filter.js';
import { Mirror, type Coll } from './embedded/mirror.js';
import * as sql from './embedded/sqlite-points.js';
import { fileIdentity, movedError, storeError } from './embedded/store-errors.js';
import { decodeCursor, encodeCursor } from './embedded/cursor.js';
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
  VectorStore,
} from './vector-store.js';

export interface EmbeddedStoreOptions {
  /** Directory for the SQLite file and the ANN index files; created if missing. */
  dir: string;
  /** Collections with at least this many points get an ANN index per named vector (default 20,000). */
  annMinPoints?: number;
  annParams?: Partial<AnnParams>;
  /** Per collection name, over annParams: e.g. a vocabulary searched by many short queries. */
  annParamsByCollection?: Record<string, Partial<AnnParams>>;
  /**
   * A filtered search whose matching points hold at most this many vector components (points × dim) is
   * scanned exactly over just those points (≈ 2 ns per multiply-add: ≤ ~4 ms, perfect recall); bigger
   * subsets go through the ANN index with a larger over-fetch. Default 2,000,000.
   */
  exactFilterBudget?: number;
  /**
   * A named vector whose ANN index covers more than this many MB of f32 vectors keeps in memory only the
   * points newer than the index; the rest are read back from SQLite when scored (default 1024 MB: at
   * 1280-d, from ~210k points). 0 offloads every indexed vector.
   */
  residentVectorMb?: number;
  /** Threads for building an index (0 = all cores). */
  annBuildThreads?: number;
  /** Quiet time after the last write before an index (re)build starts (default 1000 ms; 0 = at once). */
  annBuildDelayMs?: number;
  /**
   * Build indexes in the background when due (default true). Short-lived processes (CLI commands) turn it
   * off: they use saved index files, search exactly otherwise, and leave building to the server or to an
   * explicit `buildIndexes`.
   */
  backgroundIndexBuilds?: boolean;
  /**
   * How long a write waits while another process holds SQLite's single write lock before it fails with
   * STORE_UNAVAILABLE (default 5000 ms). The wait blocks this process's event loop.
   */
  busyTimeoutMs?: number;
}

export type { AnnStats };

/**
 * Several processes may open the same directory: each keeps its own mirror and catches up with the
 * others' commits before every read and inside every write transaction (see Mirror).
 */
export class EmbeddedStore implements VectorStore {
  readonly backend = 'embedded' as const;
  private closed = false;
  private lastBuildError: unknown;
  private readonly mirror: Mirror;
  private readonly writeTx: <T>(fn: () => T) => T;
  private readonly exactFilterBudget: number;

  private constructor(
    private readonly db: sql.Db,
    private readonly file: string,
    private readonly fileId: string,
    private readonly annDir: string,
    private readonly busyTimeoutMs: number,
    options: EmbeddedStoreOptions,
  ) {
    this.exactFilterBudget = options.exactFilterBudget ?? 2_000_000;
    this.mirror = new Mirror(db, {
      dbFile: file,
      annDir,
      annParams: { ...DEFAULT_ANN_PARAMS, ...options.annParams },
      annParamsByCollection: options.annParamsByCollection ?? {},
      annMinPoints: options.annMinPoints ?? 20_000,
      buildThreads: options.annBuildThreads ?? 0,
      buildDelayMs: options.annBuildDelayMs ?? 1000,
      backgroundBuilds: options.backgroundIndexBuilds ?? true,
      residentBytes: (options.residentVectorMb ?? 1024) * 2 ** 20,
      isOpen: () => !this.closed,
      onBuildError: (e) => (this.lastBuildError = e),
    });
    const tx = db.transaction((fn: () => unknown) => fn());
    // IMMEDIATE takes the write lock first (waiting up to busy_timeout), so catching up inside it sees
    // every commit before ours: no other process can commit rows in between.
    this.writeTx = <T>(fn: () => T): T => {
      this.checkFile();
      return tx.immediate(() => {
        this.mirror.refresh();
        return fn();
      }) as T;
    };
  }

  static open(options: EmbeddedStoreOptions): Promise<EmbeddedStore> {
    const file = path.join(options.dir, 'visem.db');
    const busy = options.busyTimeoutMs ?? 5000;
    return Promise.resolve().then(() => {
      let db: sql.Db | undefined;
      try {
        const annDir = path.join(options.dir, 'ann');
        fs.mkdirSync(annDir, { recursive: true });
        removeAnnFiles(annDir); // temp files of builds that a crash interrupted
        db = sql.openDb(file, busy);
        const store = new EmbeddedStore(db, file, fileIdentity(file), annDir, busy, options);
        store.mirror.refresh();
        return store;
      } catch (e) {
        db?.close();
        throw storeError(e, file, busy);
      }
    });
  }

  /** The work is synchronous; a throw becomes a rejection with a STORE_UNAVAILABLE for SQLite/fs errors. */
  private run<T>(fn: () => T): Promise<T> {
    return new Promise((resolve) => {
      try {
        resolve(fn());
      } catch (e) {
        throw storeError(e, this.file, this.busyTimeoutMs);
      }
    });
  }

  /**
   * SQLite (WAL mode) keeps writing to a database file that was moved, deleted or replaced under the
   * open connection: those writes would be lost to the next start, which opens the path. One stat per
   * write transaction (which is fsynced anyway) refuses them instead.
   */
  private checkFile(): void {
    if (fileIdentity(this.file) !== this.fileId) throw movedError(this.file);
  }

  private ensureOpen(): void {
    if (this.closed) throw new AppError(ErrorCode.STORE_UNAVAILABLE, 'embedded store is closed');
  }

  /** The collection, after catching up with other processes' commits. */
  private coll(name: string): Coll {
    this.ensureOpen();
    this.mirror.refresh();
    const c = this.mirror.colls.get(name);
    if (!c) throw missingCollection(name);
    return c;
  }

  /** Inside a write transaction: the collection may have been recreated elsewhere since `c` was read. */
  private sameColl(name: string, c: Coll): Coll {
    const now = this.mirror.colls.get(name);
    if (!now) throw missingCollection(name);
    if (now !== c) checkSameVectors(name, now.stored.spec.vectors, c.stored.spec.vectors);
    return now;
  }

  ensureCollection(spec: CollectionSpec): Promise<void> {
    return this.run(() => {
      validateSpec(spec);
      this.ensureOpen();
      const created = this.writeTx(() => {
        const existing = this.mirror.colls.get(spec.name);
        if (existing) return checkSameVectors(spec.name, existing.stored.spec.vectors, spec.vectors);
        return sql.createCollection(this.db, spec);
      });
      if (created) this.mirror.created(created); // memory changes only after the commit
    });
  }

  collectionInfo(collection: string): Promise<CollectionInfo | undefined> {
    return this.run(() => {
      this.ensureOpen();
      this.mirror.refresh();
      const c = this.mirror.colls.get(collection);
      return (
        c && {
          name: collection,
          vectors: structuredClone(c.stored.spec.vectors),
          count: c.mem.count,
          // Read from SQLite each time: another process may have changed it without adding rows.
          metadata: sql.readMetadata(this.db, c.stored.cid),
        }
      );
    });
  }

  updateCollectionMetadata(collection: string, patch: Payload): Promise<void> {
    return this.run(() => {
      validateMetadata(patch);
      this.ensureOpen();
      this.writeTx(() => {
        const c = this.mirror.colls.get(collection);
        if (!c) throw missingCollection(collection);
        sql.writeMetadata(this.db, c.stored.cid, { ...sql.readMetadata(this.db, c.stored.cid), ...patch });
      });
    });
  }

  /** One transaction: the target's row and table go, the source's row takes the target's name. */
  replaceCollection(target: string, source: string): Promise<void> {
    return this.run(() => {
      this.ensureOpen();
      if (target === source)
        throw new AppError(ErrorCode.BAD_USER_INPUT, 'a collection cannot replace itself');
      const { stored, oldCid } = this.writeTx(() => {
        const s = this.mirror.colls.get(source);
        if (!s) throw missingCollection(source);
        const t = this.mirror.colls.get(target);
        if (t) sql.dropCollection(this.db, t.stored.cid);
        const spec = { ...s.stored.spec, name: target };
        sql.renameCollection(this.db, s.stored.cid, spec);
        return { stored: { ...s.stored, spec }, oldCid: t?.stored.cid };
      });
      this.mirror.replaced(target, source, stored);
      if (oldCid !== undefined) removeAnnFiles(this.annDir, oldCid);
    });
  }

  dropCollection(collection: string): Promise<void> {
    return this.run(() => {
      this.ensureOpen();
      const cid = this.writeTx(() => {
        const c = this.mirror.colls.get(collection);
        if (c) sql.dropCollection(this.db, c.stored.cid);
        return c?.stored.cid;
      });
      if (cid === undefined) return;
      this.mirror.dropped(collection);
      removeAnnFiles(this.annDir, cid);
    });
  }

  upsert(collection: string, points: Point[]): Promise<void> {
    return this.run(() => {
      const c0 = this.coll(collection);
      validatePoints(collection, c0.stored.spec.vectors, points);
      if (points.length === 0) return;
      const rows = points.map((p) => ({
        id: p.id,
        payloadJson: JSON.stringify(p.payload),
        // Stored normalised, as Qdrant does for cosine: reads return unit vectors on both backends.
        vectors: c0.stored.vectorNames.map((n) => normalize(p.vectors[n]!)),
      }));
      const { c, written } = this.writeTx(() => {
        const c = this.sameColl(collection, c0);
        return { c, written: c.writer.upsert(rows) };
      });
      // Memory is touched only after the commit: a write that threw leaves the mirror as it was.
      this.mirror.ownChanges(written.changeSeq);
      rows.forEach((r, i) => {
        const old = c.mem.idToSlot.get(r.id);
        if (old !== undefined) c.ann.removed(old);
        const rid = written.rids[i]!;
        const slot = c.mem.put(rid, r.id, JSON.parse(r.payloadJson) as Point['payload']);
        r.vectors.forEach((vec, v) => c.mem.setVector(slot, v, vec));
        c.ann.added(slot);
        if (rid > c.maxRid) c.maxRid = rid;
      });
      c.ann.maybeBuild();
    });
  }

  get(collection: string, ids: string[], options?: { withVectors?: boolean }): Promise<StoredPoint[]> {
    return this.run(() => {
      const c = this.coll(collection);
      const out: StoredPoint[] = [];
      for (const id of ids) {
        const slot = c.mem.idToSlot.get(id);
        const p = slot === undefined ? undefined : this.pointAt(c, slot, options?.withVectors);
        if (p) out.push(p);
      }
      return out;
    });
  }

  delete(collection: string, ids: string[]): Promise<number> {
    return this.run(() => {
      const c0 = this.coll(collection);
      const { c, existed, changeSeq } = this.writeTx(() => {
        const c = this.sameColl(collection, c0);
        return { c, ...c.writer.delete([...new Set(ids)]) };
      });
      this.mirror.ownChanges(changeSeq);
      for (const id of existed) {
        const slot = c.mem.remove(id);
        if (slot !== undefined) c.ann.removed(slot);
      }
      if (existed.length > 0) c.ann.maybeBuild();
      return existed.length;
    });
  }

  search(collection: string, req: SearchRequest): Promise<ScoredPoint[]> {
    return this.run(() => {
      const c = this.coll(collection);
      validateSearch(c.stored.spec.vectors, collection, req);
      const v = c.stored.vectorNames.indexOf(req.using);
      const query = normalize(req.vector);
      const offset = req.offset ?? 0;
      const needed = offset + req.limit;
      const pred = compileFilter(req.filter);
      const filterKey = JSON.stringify(req.filter);
      const subset = pred ? c.mem.filteredSlots(filterKey, pred) : undefined;
      const smallSubset = subset !== undefined && subset.size * c.mem.dims[v]! <= this.exactFilterBudget;
      const hits = smallSubset
        ? c.mem.subsetTopK(filterKey, v, query, needed, req.scoreThreshold)
        : req.exact || !c.ann.ready(v)
          ? c.mem.exactTopK(v, query, needed, subset ? undefined : pred, req.scoreThreshold, subset)
          : c.ann.search(v, query, needed, pred, req.scoreThreshold, subset);
      return hits.slice(offset).flatMap((h) => {
        const p = this.pointAt(c, h.slot, req.withVectors);
        return p ? [{ ...p, score: h.score }] : [];
      });
    });
  }

  count(collection: string, filter?: Filter): Promise<number> {
    return this.run(() => {
      const c = this.coll(collection);
      validateFilter(filter);
      const pred = compileFilter(filter);
      return pred ? c.mem.filteredSlots(JSON.stringify(filter), pred).size : c.mem.count;
    });
  }

  scroll(collection: string, req: ScrollRequest): Promise<ScrollPage> {
    return this.run(() => {
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
        const p = this.pointAt(c, slot, req.withVectors);
        if (p) points.push(p);
      }
      const lastId = points[points.length - 1]?.id;
      return more && lastId !== undefined ? { points, next: encodeCursor(lastId) } : { points };
    });
  }

  /**
   * Healthy when writes can go to the database file opened (not moved, deleted or replaced) and it can be
   * read. A full disk does not fail ping: reads are still served; the writes themselves fail.
   */
  ping(): Promise<void> {
    return this.run(() => {
      this.ensureOpen();
      this.checkFile();
      this.mirror.refresh();
      this.db.prepare('SELECT count(*) FROM collections').get();
    });
  }

  close(): Promise<void> {
    return this.run(() => {
      if (this.closed) return;
      this.closed = true;
      this.mirror.cancelBuilds();
      this.db.close();
    });
  }

  /** Builds any ANN index that is due and waits for builds in flight; for tests, benchmarks and the CLI. */
  buildIndexes(collection: string): Promise<void> {
    return this.run(() => this.coll(collection)).then((c) => c.ann.settle());
  }

  annStats(collection: string): AnnStats[] {
    const c = this.mirror.colls.get(collection);
    if (!c) throw missingCollection(collection);
    return c.ann.stats(c.stored.vectorNames);
  }

  get buildError(): unknown {
    return this.lastBuildError;
  }

  /** Undefined when the vectors were asked for and another process deleted the (offloaded) row meanwhile. */
  private pointAt(c: Coll, slot: number, withVectors?: boolean): StoredPoint | undefined {
    const p: StoredPoint = { id: c.mem.ids[slot]!, payload: structuredClone(c.mem.payloads[slot]!) };
    if (!withVectors) return p;
    const vectors: Record<string, Float32Array> = {};
    for (const [v, name] of c.stored.vectorNames.entries()) {
      const row = c.mem.vector(slot, v);
      if (!row) return undefined;
      vectors[name] = row;
    }
    p.vectors = vectors;
    return p;
  }
}
