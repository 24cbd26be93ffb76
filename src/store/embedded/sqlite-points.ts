import Database from 'better-sqlite3';
import type { CollectionSpec, Payload } from '../vector-store.js';

/**
 * SQLite is the source of truth. One table of collections, one table of points per collection, named by
 * the collection's numeric id (never by its name) so user input never reaches SQL text. Point rows get a
 * rowid from AUTOINCREMENT and are re-inserted on replace: a rowid is never reused and its vectors never
 * change, which is what lets a saved ANN index (keyed by rowid) stay valid for every row it covers.
 */

export interface StoredCollection {
  cid: number;
  spec: CollectionSpec;
  /** Vector names in column order: column v0 holds vectorNames[0], and so on. */
  vectorNames: string[];
}

export interface RowToWrite {
  id: string;
  payloadJson: string;
  /** In vectorNames order, already normalised. */
  vectors: Float32Array[];
}

export type Db = Database.Database;

export function openDb(file: string, busyTimeoutMs: number): Db {
  const db = new Database(file);
  try {
    // A second process (`visem ingest` beside `visem serve`) waits this long for the write lock.
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    db.pragma('journal_mode = WAL');
    // FULL: a commit is fsynced before upsert() resolves, so an acknowledged write survives power loss too.
    db.pragma('synchronous = FULL');
    db.exec(`CREATE TABLE IF NOT EXISTS collections (
      cid INTEGER PRIMARY KEY AUTOINCREMENT,
      name TEXT NOT NULL UNIQUE,
      spec TEXT NOT NULL,
      vector_names TEXT NOT NULL,
      metadata TEXT NOT NULL DEFAULT '{}'
    )`);
    addMetadataColumn(db);
    // Rowids removed (deleted or replaced) by any process, written in the deleting transaction: other
    // processes replay the entries newer than the last one they saw instead of reloading everything.
    db.exec(`CREATE TABLE IF NOT EXISTS changes (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      cid INTEGER NOT NULL,
      rid INTEGER NOT NULL
    )`);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

/**
 * Collection metadata (which models wrote a collection) came after the first databases: an older file
 * gets the column, with `{}` for its collections. Under the write lock, so two processes opening the same
 * old file at once add it once.
 */
function addMetadataColumn(db: Db): void {
  const has = (): boolean =>
    (db.prepare('PRAGMA table_info(collections)').all() as { name: string }[]).some(
      (c) => c.name === 'metadata',
    );
  if (has()) return;
  db.transaction(() => {
    if (!has()) db.exec(`ALTER TABLE collections ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}'`);
  }).immediate();
}

/** Change-log entries kept; a process that fell further behind reloads its collections in full. */
const CHANGES_KEPT = 100_000;

export interface ChangeLog {
  /** Oldest entry kept (null when empty) and newest ever written (0 when none). */
  minSeq: number | null;
  maxSeq: number;
  /** Entries after `after`: rowids of `cid` that no longer exist. */
  entries: { cid: number; rid: number }[];
}

export function readChanges(db: Db, after: number): ChangeLog {
  const b = db.prepare('SELECT min(seq) AS lo, max(seq) AS hi FROM changes').get() as {
    lo: number | null;
    hi: number | null;
  };
  const entries = db.prepare('SELECT cid, rid FROM changes WHERE seq > ? ORDER BY seq').all(after) as {
    cid: number;
    rid: number;
  }[];
  return { minSeq: b.lo, maxSeq: b.hi ?? 0, entries };
}

const table = (cid: number): string => `points_${cid}`;

/** The table and column of named vector `v`, for a reader outside this connection (an index build). */
export function vectorSource(cid: number, v: number): { table: string; column: string } {
  return { table: table(cid), column: `v${v}` };
}

export function blobOf(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** Copies a BLOB into `out` at `offset` without assuming the Buffer is 4-byte aligned. */
export function copyBlob(buf: Buffer, out: Float32Array, offset: number, dim: number): void {
  if (buf.byteLength !== dim * 4)
    throw new Error(`stored vector has ${buf.byteLength / 4} dims, expected ${dim}`);
  if (buf.byteOffset % 4 === 0) out.set(new Float32Array(buf.buffer, buf.byteOffset, dim), offset);
  else out.set(new Float32Array(Uint8Array.prototype.slice.call(buf).buffer), offset);
}

export function listCollections(db: Db): StoredCollection[] {
  const rows = db.prepare('SELECT cid, spec, vector_names FROM collections ORDER BY cid').all() as {
    cid: number;
    spec: string;
    vector_names: string;
  }[];
  return rows.map((r) => ({
    cid: r.cid,
    spec: JSON.parse(r.spec) as CollectionSpec,
    vectorNames: JSON.parse(r.vector_names) as string[],
  }));
}

export function createCollection(db: Db, given: CollectionSpec): StoredCollection {
  const { metadata, ...spec } = given;
  const vectorNames = Object.keys(spec.vectors).sort();
  return db.transaction(() => {
    const { cid } = db
      .prepare(
        'INSERT INTO collections (name, spec, vector_names, metadata) VALUES (?, ?, ?, ?) RETURNING cid',
      )
      .get(spec.name, JSON.stringify(spec), JSON.stringify(vectorNames), JSON.stringify(metadata ?? {})) as {
      cid: number;
    };
    const cols = vectorNames.map((_, i) => `, v${i} BLOB NOT NULL`).join('');
    db.exec(
      `CREATE TABLE ${table(cid)} (rid INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, payload TEXT NOT NULL${cols})`,
    );
    return { cid, spec, vectorNames };
  })();
}

export function readMetadata(db: Db, cid: number): Payload {
  const json = db.prepare('SELECT metadata FROM collections WHERE cid = ?').pluck(true).get(cid) as
    string | undefined;
  return json === undefined ? {} : (JSON.parse(json) as Payload);
}

export function writeMetadata(db: Db, cid: number, metadata: Payload): void {
  db.prepare('UPDATE collections SET metadata = ? WHERE cid = ?').run(JSON.stringify(metadata), cid);
}

/** Gives collection `cid` another name (its table is named by cid, so no rows move). */
export function renameCollection(db: Db, cid: number, spec: CollectionSpec): void {
  db.prepare('UPDATE collections SET name = ?, spec = ? WHERE cid = ?').run(
    spec.name,
    JSON.stringify(spec),
    cid,
  );
}

export function dropCollection(db: Db, cid: number): void {
  db.transaction(() => {
    db.prepare('DELETE FROM collections WHERE cid = ?').run(cid);
    db.exec(`DROP TABLE IF EXISTS ${table(cid)}`);
  })();
}

/** Highest rowid ever handed out in the collection (0 when none): the ANN index's generation. */
export function sequence(db: Db, cid: number): number {
  const row = db.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').get(table(cid)) as
    { seq: number } | undefined;
  return row?.seq ?? 0;
}

export interface StoredRow {
  rid: number;
  id: string;
  payload: string;
  /** null where the caller asked not to read the vector (see iterateRows' `skipUpTo`). */
  blobs: (Buffer | null)[];
}

/**
 * Rows with rowid above `afterRid`, in rowid order. Vector v of a row with rowid <= skipUpTo[v] is not
 * read (null): SQLite then never touches the overflow pages that hold it.
 */
export function* iterateRows(
  db: Db,
  cid: number,
  nvec: number,
  afterRid = 0,
  skipUpTo: readonly number[] = [],
): Generator<StoredRow> {
  const cols = Array.from({ length: nvec }, (_, i) =>
    skipUpTo[i] ? `, CASE WHEN rid > ? THEN v${i} END` : `, v${i}`,
  ).join('');
  const stmt = db
    .prepare(`SELECT rid, id, payload${cols} FROM ${table(cid)} WHERE rid > ? ORDER BY rid`)
    .raw(true);
  const params = [...skipUpTo.filter((r) => r > 0), afterRid];
  for (const row of stmt.iterate(...params) as Iterable<unknown[]>) {
    yield {
      rid: row[0] as number,
      id: row[1] as string,
      payload: row[2] as string,
      blobs: row.slice(3) as (Buffer | null)[],
    };
  }
}

/** Highest rowid in the collection's table now (0 when empty). */
export function maxRowid(db: Db, cid: number): number {
  return (
    (db
      .prepare(`SELECT max(rid) FROM ${table(cid)}`)
      .pluck(true)
      .get() as number | null) ?? 0
  );
}

/** Reads stored vectors of named vector `v` by rowid; a rowid missing from the result was deleted. */
export type VectorReader = (v: number, rids: readonly number[]) => Map<number, Buffer>;

/** The collection's VectorReader: one statement per call. */
export function vectorReader(db: Db, cid: number): VectorReader {
  const stmts = new Map<number, Database.Statement>();
  return (v, rids) => {
    let stmt = stmts.get(v);
    if (!stmt) {
      stmt = db
        .prepare(`SELECT rid, v${v} FROM ${table(cid)} WHERE rid IN (SELECT value FROM json_each(?))`)
        .raw(true);
      stmts.set(v, stmt);
    }
    const out = new Map<number, Buffer>();
    for (const [rid, blob] of stmt.all(JSON.stringify(rids)) as [number, Buffer][]) out.set(rid, blob);
    return out;
  };
}

/** Each write also returns the newest change-log entry it wrote (0: none). */
export interface PointWriter {
  /** One transaction: deletes any row with the same id, inserts a fresh row; returns the new rowids. */
  upsert(rows: RowToWrite[]): { rids: number[]; changeSeq: number };
  /** One transaction; returns the ids that existed. */
  delete(ids: string[]): { existed: string[]; changeSeq: number };
}

export function pointWriter(db: Db, cid: number, nvec: number): PointWriter {
  const t = table(cid);
  const del = db.prepare(`DELETE FROM ${t} WHERE id = ? RETURNING rid`).pluck(true);
  const log = db.prepare('INSERT INTO changes (cid, rid) VALUES (?, ?) RETURNING seq').pluck(true);
  const prune = db.prepare('DELETE FROM changes WHERE seq <= ?');
  const marks = Array.from({ length: nvec }, () => ', ?').join('');
  const cols = Array.from({ length: nvec }, (_, i) => `, v${i}`).join('');
  const ins = db
    .prepare(`INSERT INTO ${t} (id, payload${cols}) VALUES (?, ?${marks}) RETURNING rid`)
    .pluck(true);
  let seq = 0;
  const removeId = (id: string): boolean => {
    const rid = del.get(id) as number | undefined;
    if (rid !== undefined) seq = log.get(cid, rid) as number;
    return rid !== undefined;
  };
  const done = (): number => {
    if (seq > CHANGES_KEPT) prune.run(seq - CHANGES_KEPT);
    const s = seq;
    seq = 0;
    return s;
  };
  const upsert = db.transaction((rows: RowToWrite[]) => {
    seq = 0;
    const rids = rows.map((r) => {
      removeId(r.id);
      return ins.get(r.id, r.payloadJson, ...r.vectors.map(blobOf)) as number;
    });
    return { rids, changeSeq: done() };
  });
  const remove = db.transaction((ids: string[]) => {
    seq = 0;
    const existed = ids.filter(removeId);
    return { existed, changeSeq: done() };
  });
  return { upsert, delete: remove };
}

/** Ids in ascending (SQLite BINARY) order after `after`, lazily, for scrolling. */
export function iterateIdsAfter(db: Db, cid: number, after: string | undefined): Iterable<string> {
  const stmt = db.prepare(`SELECT id FROM ${table(cid)} WHERE id > ? ORDER BY id`).pluck(true);
  return stmt.iterate(after ?? '') as Iterable<string>;
}
