import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { EmbeddedStore } from '../../src/store/embedded.store.js';
import type { Point } from '../../src/store/vector-store.js';
import { randomVector, rng } from './data.js';
import { StoreChild } from './store-child.js';

/**
 * The store's files going away or filling up, produced for real (no mocked SQLite). Tests run as root,
 * where chmod stops nothing, so the faults are ones root meets too:
 * - a file size limit (RLIMIT_FSIZE, set on a child process with prlimit) makes SQLite's WAL writes fail
 *   part-way through a transaction, as a full disk does (EFBIG there, ENOSPC on a full disk: the same
 *   short write in the same code path); lifting the limit is the disk getting space again;
 * - the database file moved away (or replaced by garbage) under the open connection, as when a user
 *   moves or restores a data directory while the server runs; moving it back is the fault clearing.
 * Every failure must be STORE_UNAVAILABLE with a message saying what happened, must leave the mirror
 * equal to what is durable, and the store must work again once the condition clears, without reopening.
 */

const dirs: string[] = [];
const tmpDir = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'visem-fault-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const points = (n: number, prefix: string, dim: number, seed: number): Point[] => {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i}`,
    vectors: { v: randomVector(r, dim) },
    payload: { i },
  }));
};
const wire = (ps: Point[]): { id: string; v: number[]; payload: Point['payload'] }[] =>
  ps.map((p) => ({ id: p.id, v: [...p.vectors.v!], payload: p.payload }));

describe('EmbeddedStore when its storage fails', () => {
  it('a write that hits a full disk fails cleanly, leaves nothing behind, and works once space is back', async () => {
    const dir = tmpDir();
    const child = StoreChild.start(dir, { annMinPoints: 100_000 });
    try {
      await child.call({ op: 'ensure', collection: 'f', size: 256 });
      await child.call({ op: 'upsert', collection: 'f', points: wire(points(100, 'a', 256, 1)) });
      const files = ['visem.db', 'visem.db-wal'].map((f) => path.join(dir, f));
      const largest = Math.max(...files.map((f) => fs.statSync(f).size));
      // Room for a little more than what exists: the next 2 MB batch cannot fit. Only the soft limit:
      // lifting it again needs no privilege (the sandbox's root lacks CAP_SYS_RESOURCE).
      execFileSync('prlimit', ['--pid', String(child.pid), `--fsize=${largest + 16_384}:unlimited`]);

      const big = points(2_000, 'b', 256, 2);
      const failed = await child.send({ op: 'upsert', collection: 'f', points: wire(big) });
      expect(failed).toMatchObject({ ok: false, code: ErrorCode.STORE_UNAVAILABLE });
      expect((failed as { message: string }).message).toMatch(/could not write .*no space left/);
      // Memory still equals what is durable: the failed batch is nowhere, reads keep working.
      expect(await child.call({ op: 'count', collection: 'f' })).toBe(100);
      expect(await child.call({ op: 'get', collection: 'f', ids: ['b0', 'b1999'] })).toEqual([]);
      expect(
        await child.call<string[]>({ op: 'search', collection: 'f', v: [...big[0]!.vectors.v!], limit: 3 }),
      ).not.toContain('b0');
      await child.call({ op: 'ping' }); // reads can be served, so the store reports healthy
      const other = await EmbeddedStore.open({ dir });
      try {
        expect(await other.count('f')).toBe(100); // what another process (or a restart) sees

        execFileSync('prlimit', ['--pid', String(child.pid), '--fsize=unlimited:unlimited']);
        await child.call({ op: 'upsert', collection: 'f', points: wire(big) });
        expect(await child.call({ op: 'count', collection: 'f' })).toBe(2_100);
        expect(await child.call({ op: 'delete', collection: 'f', ids: ['a0'] })).toBe(1);
        expect(await other.count('f')).toBe(2_099);
      } finally {
        await other.close();
      }
    } finally {
      await child.stop();
    }
  });

  it('reports a database file moved or replaced while open, keeps serving reads, recovers when it is back', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'visem.db');
    const store = await EmbeddedStore.open({ dir });
    try {
      await store.ensureCollection({ name: 'm', vectors: { v: { size: 8 } } });
      await store.upsert('m', points(10, 'a', 8, 3));
      const unavailable = {
        code: ErrorCode.STORE_UNAVAILABLE,
        message: expect.stringMatching(/moved, replaced or deleted while open/) as unknown,
      };

      fs.renameSync(file, `${file}.away`);
      await expect(store.ping()).rejects.toMatchObject(unavailable);
      await expect(store.upsert('m', points(1, 'x', 8, 4))).rejects.toMatchObject(unavailable);
      await expect(store.delete('m', ['a0'])).rejects.toMatchObject(unavailable);
      expect(await store.count('m')).toBe(10);
      expect(await store.get('m', ['x0', 'a0'])).toMatchObject([{ id: 'a0' }]);

      fs.writeFileSync(file, 'not a database'); // e.g. a half-copied backup put in its place
      await expect(store.ping()).rejects.toMatchObject(unavailable);
      await expect(store.ensureCollection({ name: 'n', vectors: { v: { size: 8 } } })).rejects.toMatchObject(
        unavailable,
      );
      expect(await store.collectionInfo('n')).toBeUndefined();

      fs.rmSync(file);
      fs.renameSync(`${file}.away`, file);
      await store.ping();
      await store.upsert('m', points(1, 'x', 8, 4));
      expect(await store.delete('m', ['a0'])).toBe(1);
      expect(await store.count('m')).toBe(10);
    } finally {
      await store.close();
    }
    const again = await EmbeddedStore.open({ dir });
    expect((await again.get('m', ['x0', 'a0'])).map((p) => p.id)).toEqual(['x0']);
    await again.close();
  });

  it('refuses to open what it cannot use, as STORE_UNAVAILABLE', async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'visem.db'), 'x'.repeat(4096));
    await expect(EmbeddedStore.open({ dir })).rejects.toMatchObject({
      code: ErrorCode.STORE_UNAVAILABLE,
      message: expect.stringMatching(/damaged or not a visem database/) as unknown,
    });
    const notADir = path.join(dir, 'visem.db');
    await expect(EmbeddedStore.open({ dir: notADir })).rejects.toMatchObject({
      code: ErrorCode.STORE_UNAVAILABLE,
    });
  });
});
