/**
 * Child process holding an EmbeddedStore open on a directory shared with the test process, driven by
 * JSON lines on stdin (one reply line each on stdout). Run through store-child.ts.
 * Usage: node --import ./test/support/ts-loader.mjs store-worker.ts <dir> <options json>
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { isAppError } from '../../src/errors.js';
import { EmbeddedStore, type EmbeddedStoreOptions } from '../../src/store/embedded.store.js';
import type { Payload, Point } from '../../src/store/vector-store.js';

export type Command =
  | { op: 'ensure'; collection: string; size: number }
  | { op: 'drop'; collection: string }
  | { op: 'upsert'; collection: string; points: { id: string; v: number[]; payload: Point['payload'] }[] }
  | { op: 'delete'; collection: string; ids: string[] }
  | { op: 'count'; collection: string }
  | { op: 'info'; collection: string }
  | { op: 'get'; collection: string; ids: string[] }
  | { op: 'search'; collection: string; v: number[]; limit: number; exact?: boolean }
  | { op: 'scroll'; collection: string }
  | { op: 'meta'; collection: string; patch: Payload }
  | { op: 'replace'; target: string; source: string }
  | { op: 'ping' }
  /** Holds SQLite's write lock from a second connection for `ms`, as a writing process would. */
  | { op: 'lock'; ms: number };

const [dir, opts] = process.argv.slice(2);
if (!dir) throw new Error('usage: store-worker.ts <dir> [options json]');
const store = await EmbeddedStore.open({
  dir,
  ...(JSON.parse(opts ?? '{}') as Partial<EmbeddedStoreOptions>),
});

async function handle(c: Command): Promise<unknown> {
  switch (c.op) {
    case 'ensure':
      return store.ensureCollection({ name: c.collection, vectors: { v: { size: c.size } } });
    case 'drop':
      return store.dropCollection(c.collection);
    case 'upsert':
      return store.upsert(
        c.collection,
        c.points.map((p) => ({ id: p.id, vectors: { v: Float32Array.from(p.v) }, payload: p.payload })),
      );
    case 'delete':
      return store.delete(c.collection, c.ids);
    case 'count':
      return store.count(c.collection);
    case 'info':
      return (await store.collectionInfo(c.collection)) ?? null;
    case 'get':
      return (await store.get(c.collection, c.ids)).map((p) => ({ id: p.id, payload: p.payload }));
    case 'search': {
      const req = { using: 'v', vector: Float32Array.from(c.v), limit: c.limit, exact: c.exact };
      return (await store.search(c.collection, req)).map((h) => h.id);
    }
    case 'scroll': {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.scroll(c.collection, { limit: 100, cursor });
        ids.push(...page.points.map((p) => p.id));
        cursor = page.next;
      } while (cursor);
      return ids;
    }
    case 'meta':
      return store.updateCollectionMetadata(c.collection, c.patch);
    case 'replace':
      return store.replaceCollection(c.target, c.source);
    case 'ping':
      return store.ping();
    case 'lock': {
      const db = new Database(path.join(dir!, 'visem.db'));
      db.exec('BEGIN IMMEDIATE');
      setTimeout(() => {
        db.exec('COMMIT');
        db.close();
      }, c.ms);
      return null;
    }
  }
}

for await (const line of createInterface({ input: process.stdin })) {
  try {
    const result = await handle(JSON.parse(line) as Command);
    process.stdout.write(JSON.stringify({ ok: true, result: result ?? null }) + '\n');
  } catch (e) {
    const err = e as Error & { code?: string };
    const code = isAppError(e) ? e.code : `RAW:${err.code ?? err.name}`;
    process.stdout.write(JSON.stringify({ ok: false, code, message: err.message }) + '\n');
  }
}
await store.close();
