import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/store/embedded.store.js';
import { normalize } from '../../src/vectors.js';
import { BATCH, batchPoints } from './crash-data.js';

const root = path.resolve(import.meta.dirname, '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'visem-crash-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs the writer until `acks` batches were acknowledged (or the time is up), then SIGKILLs it. */
function runAndKill(acks: number, maxMs: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const loader = pathToFileURL(path.join(root, 'test/support/ts-loader.mjs')).href;
    const child = spawn(
      process.execPath,
      ['--import', loader, path.join(root, 'test/store-contract/crash-worker.ts'), dir],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const acked: number[] = [];
    let buf = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), maxMs);
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const line of lines) {
        const m = /^ACK (\d+)/.exec(line);
        if (m) acked.push(Number(m[1]));
        if (acked.length >= acks) child.kill('SIGKILL'); // mid-run: the next batch is in flight
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`worker exited on its own: ${stderr}`));
      else resolve(acked);
    });
  });
}

it('keeps every acknowledged batch, whole, after SIGKILL; the ANN index stays consistent', async () => {
  // First run stops early (no index yet); the second crosses annMinPoints so a build races the kill.
  const first = await runAndKill(5, 60_000);
  const second = await runAndKill(90, 90_000);
  expect(first.length).toBeGreaterThanOrEqual(5);
  expect(second.length).toBeGreaterThanOrEqual(90);
  // The second run restarts at batch 0 and replaces the same ids: acknowledged = union.
  const acked = new Set([...first, ...second]);

  const store = await EmbeddedStore.open({ dir, annMinPoints: 2_000 });
  try {
    const total = await store.count('crash');
    expect(total % BATCH).toBe(0); // no partial batch
    const maxBatch = Math.max(...acked);
    // At most the one in-flight batch beyond the last acknowledgement may have committed.
    expect(total / BATCH).toBeGreaterThanOrEqual(maxBatch + 1);
    expect(total / BATCH).toBeLessThanOrEqual(maxBatch + 2);
    const present = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await store.scroll('crash', { limit: 500, cursor, withVectors: true });
      for (const p of page.points) {
        expect(present.has(p.id)).toBe(false);
        present.add(p.id);
      }
      cursor = page.next;
    } while (cursor);
    for (const b of acked) {
      const want = batchPoints(b);
      const got = await store.get(
        'crash',
        want.map((p) => p.id),
        { withVectors: true },
      );
      expect(got.length).toBe(BATCH);
      got.forEach((g, i) => {
        const w = normalize(want[i]!.vectors.v!);
        g.vectors!.v!.forEach((x, k) => expect(x).toBeCloseTo(w[k]!, 6));
        expect(g.payload).toEqual(want[i]!.payload);
      });
    }
    // Whatever index file survived (or a rebuild) answers consistently with exact search.
    await store.buildIndexes('crash');
    const stats = store.annStats('crash');
    expect(stats[0]!.indexed + stats[0]!.tail).toBeGreaterThanOrEqual(total);
    const probe = batchPoints(3)[7]!;
    const approx = await store.search('crash', { using: 'v', vector: probe.vectors.v!, limit: 5 });
    const exact = await store.search('crash', {
      using: 'v',
      vector: probe.vectors.v!,
      limit: 5,
      exact: true,
    });
    expect(approx[0]!.id).toBe(probe.id);
    expect(approx.map((p) => p.id)).toEqual(exact.map((p) => p.id));
    expect(fs.readdirSync(path.join(dir, 'ann')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  } finally {
    await store.close();
  }
}, 240_000);
