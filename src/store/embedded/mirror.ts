import type { StoredPoint } from '../vector-store.js';
import type { AnnParams } from './ann-index.js';
import { CollectionAnn } from './ann-manager.js';
import { MemoryCollection } from './memory-collection.js';
import * as sql from './sqlite-points.js';

/**
 * The in-memory mirror of every collection, kept equal to what is committed in SQLite, including
 * commits by other processes on the same data directory (`visem ingest` beside `visem serve`).
 *
 * `PRAGMA data_version` changes only when another connection committed, so the check before each read
 * costs one tiny statement. When it changed, one read transaction yields a consistent delta: rowids
 * removed since the last change-log entry seen, and rows with a rowid above the highest the mirror holds
 * (rowids are never reused and rows never change, so nothing else can differ). Collections created,
 * dropped or recreated elsewhere, and a change log pruned past what this process saw, mean a full load
 * of the collection concerned. The delta is read completely before memory is touched, so a failed read
 * leaves the mirror as it was.
 */

export interface Coll {
  stored: sql.StoredCollection;
  mem: MemoryCollection;
  writer: sql.PointWriter;
  ann: CollectionAnn;
  /** Highest rowid loaded or written: every row at or below it is in `mem` or deleted. */
  maxRid: number;
}

export interface MirrorOptions {
  /** The SQLite file, for index builds that read an offloaded vector's rows in a worker. */
  dbFile: string;
  annDir: string;
  annParams: AnnParams;
  annParamsByCollection: Record<string, Partial<AnnParams>>;
  annMinPoints: number;
  buildThreads: number;
  buildDelayMs: number;
  backgroundBuilds: boolean;
  /** See AnnContext.residentBytes. */
  residentBytes: number;
  isOpen: () => boolean;
  onBuildError: (e: unknown) => void;
}

export class Mirror {
  readonly colls = new Map<string, Coll>();
  private version: number | undefined;
  private changeSeq = 0;
  private readonly dataVersion: () => number;
  private readonly readTx: (fn: () => void) => void;

  constructor(
    private readonly db: sql.Db,
    private readonly o: MirrorOptions,
  ) {
    const version = db.prepare('PRAGMA data_version').pluck(true);
    this.dataVersion = () => version.get() as number;
    const tx = db.transaction((fn: () => void) => fn());
    this.readTx = (fn) => tx.deferred(fn);
  }

  /** Brings the mirror up to date with commits of other processes; cheap when there were none. */
  refresh(): void {
    const v = this.dataVersion();
    if (v === this.version) return;
    let apply = (): void => undefined;
    this.readTx(() => (apply = this.readDelta()));
    apply();
    this.version = v;
  }

  /** After this process's own write: its change-log entries need no replay. */
  ownChanges(seq: number): void {
    if (seq > this.changeSeq) this.changeSeq = seq;
  }

  /** Installs a collection this process just created (committed). */
  created(stored: sql.StoredCollection): Coll {
    const c = this.make(stored);
    this.colls.set(stored.spec.name, c);
    return c;
  }

  /**
   * After this process committed a replaceCollection: `stored` (the source's collection, renamed) is
   * loaded afresh under its new name; the old target and the source name are gone.
   */
  replaced(target: string, source: string, stored: sql.StoredCollection): void {
    this.dropped(target);
    this.dropped(source);
    const c = this.load(stored);
    this.colls.set(target, c);
    c.ann.loadSaved();
  }

  dropped(name: string): void {
    this.colls.get(name)?.ann.cancel();
    this.colls.delete(name);
  }

  cancelBuilds(): void {
    for (const c of this.colls.values()) c.ann.cancel();
  }

  /** Reads everything needed (inside the read transaction) and returns how to apply it to memory. */
  private readDelta(): () => void {
    const stored = sql.listCollections(this.db);
    const log = sql.readChanges(this.db, this.changeSeq);
    // Entries this process never saw were pruned: removed rows cannot be told apart, reload in full.
    const gap = log.minSeq !== null && log.minSeq > this.changeSeq + 1;
    const fresh: Coll[] = [];
    const updates: { c: Coll; rows: sql.StoredRow[] }[] = [];
    for (const s of stored) {
      const c = this.colls.get(s.spec.name);
      if (c && c.stored.cid === s.cid && !gap) {
        updates.push({ c, rows: [...sql.iterateRows(this.db, s.cid, c.mem.dims.length, c.maxRid)] });
      } else {
        fresh.push(this.load(s));
      }
    }
    return () => {
      const names = new Set(stored.map((s) => s.spec.name));
      for (const name of [...this.colls.keys()]) {
        if (!names.has(name) || fresh.some((f) => f.stored.spec.name === name)) this.dropped(name);
      }
      for (const f of fresh) {
        this.colls.set(f.stored.spec.name, f);
        f.ann.loadSaved();
      }
      const removed = new Map<number, number[]>();
      for (const e of log.entries) removed.set(e.cid, [...(removed.get(e.cid) ?? []), e.rid]);
      for (const { c, rows } of updates) {
        const rids = removed.get(c.stored.cid) ?? [];
        for (const rid of rids) {
          const slot = c.mem.removeRid(rid);
          if (slot !== undefined) c.ann.removed(slot);
        }
        for (const row of rows) this.put(c, row);
        if (rids.length > 0 || rows.length > 0) c.ann.maybeBuild();
      }
      this.ownChanges(log.maxSeq);
    };
  }

  /**
   * A collection read in full from SQLite, not installed yet. Vectors a large saved index covers stay on
   * disk (CollectionAnn.planLoad): a warm start then reads ids and payloads, not every vector.
   */
  private load(stored: sql.StoredCollection): Coll {
    const c = this.make(stored);
    const skip = c.ann.planLoad(sql.maxRowid(this.db, stored.cid));
    for (const row of sql.iterateRows(this.db, stored.cid, c.mem.dims.length, 0, skip)) this.put(c, row);
    return c;
  }

  private put(c: Coll, row: sql.StoredRow): void {
    const old = c.mem.idToSlot.get(row.id);
    if (old !== undefined) c.ann.removed(old);
    const slot = c.mem.put(row.rid, row.id, JSON.parse(row.payload) as StoredPoint['payload']);
    row.blobs.forEach((b, v) => c.mem.setVectorBlob(slot, v, b));
    c.ann.added(slot);
    if (row.rid > c.maxRid) c.maxRid = row.rid;
  }

  private make(stored: sql.StoredCollection): Coll {
    const dims = stored.vectorNames.map((n) => stored.spec.vectors[n]!.size);
    const mem = new MemoryCollection(dims, 1024, sql.vectorReader(this.db, stored.cid));
    const o = this.o;
    const c: Coll = {
      stored,
      mem,
      writer: sql.pointWriter(this.db, stored.cid, dims.length),
      maxRid: 0,
      ann: new CollectionAnn(mem, {
        dir: o.annDir,
        cid: stored.cid,
        params: { ...o.annParams, ...o.annParamsByCollection[stored.spec.name] },
        minPoints: o.annMinPoints,
        buildThreads: o.buildThreads,
        buildDelayMs: o.buildDelayMs,
        backgroundBuilds: o.backgroundBuilds,
        residentBytes: o.residentBytes,
        storedRows: (v) => ({ sqlite: { file: o.dbFile, ...sql.vectorSource(stored.cid, v) } }),
        sequence: () => sql.sequence(this.db, stored.cid),
        knownMaxRid: () => c.maxRid,
        live: () => o.isOpen() && this.colls.get(stored.spec.name) === c,
        onError: o.onBuildError,
      }),
    };
    return c;
  }
}
