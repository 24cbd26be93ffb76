import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CollectionAnn, type AnnContext } from './ann-manager.js';
import { annFileName, buildAnnFile } from './ann-index.js';
import { MemoryCollection } from './memory-collection.js';

const DIM = 8;
const PARAMS = { connectivity: 8, expansionAdd: 64, expansionSearch: 64, quantization: 'i8' as const };

function unitVector(seed: number): Float32Array {
  const v = Float32Array.from({ length: DIM }, (_, k) => Math.sin(seed * 12.9898 + k * 78.233));
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

/** A mirror holding rows with rowids 1..n, as EmbeddedStore's would after loading them. */
function mirrorOf(n: number): MemoryCollection {
  const mem = new MemoryCollection([DIM]);
  for (let rid = 1; rid <= n; rid++) addRow(mem, rid);
  return mem;
}

function addRow(mem: MemoryCollection, rid: number, ann?: CollectionAnn): void {
  const slot = mem.put(rid, `p${rid}`, {});
  mem.setVector(slot, 0, unitVector(rid));
  ann?.added(slot);
}

describe('CollectionAnn builds', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const tempDir = (): string => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'visem-ann-'));
    dirs.push(d);
    return d;
  };

  function context(mem: MemoryCollection, dir: string, errors: unknown[], live = () => true): AnnContext {
    const maxRid = (): number => Math.max(0, ...mem.rids);
    return {
      dir,
      cid: 1,
      params: PARAMS,
      minPoints: 100,
      buildThreads: 1,
      buildDelayMs: 0,
      backgroundBuilds: false,
      residentBytes: Number.MAX_SAFE_INTEGER,
      storedRows: () => {
        throw new Error('these mirrors stay resident');
      },
      sequence: maxRid,
      knownMaxRid: maxRid,
      live,
      onError: (e) => errors.push(e),
    };
  }

  it('installs a newer file when another process deleted the one just built', async () => {
    const dir = tempDir();
    const mem = mirrorOf(600);
    // The other process's index of rows 1..610, written while this one builds its index of 1..600.
    const other = mirrorOf(610);
    const prebuilt = await buildAnnFile(tempDir(), 1, 0, 610, DIM, other.snapshot(0), PARAMS, 1).promise;

    const errors: unknown[] = [];
    let raced = false;
    // live() is asked first when a build finishes: the moment to play the other process. By then this
    // mirror has loaded rows 601..610 too, and the other process has replaced this build's file.
    const live = (): boolean => {
      if (!raced && fs.existsSync(path.join(dir, annFileName(1, 0, 600, 600, PARAMS)))) {
        raced = true;
        for (let rid = 601; rid <= 610; rid++) addRow(mem, rid, ann);
        fs.copyFileSync(prebuilt.file, path.join(dir, path.basename(prebuilt.file)));
        fs.rmSync(path.join(dir, annFileName(1, 0, 600, 600, PARAMS)));
      }
      return true;
    };
    const ann = new CollectionAnn(mem, context(mem, dir, errors, live));
    await ann.settle();

    expect(raced).toBe(true);
    expect(errors).toEqual([]);
    expect(ann.stats(['v'])).toEqual([
      { vector: 'v', indexed: 610, tail: 0, building: false, inMemory: 610 },
    ]);
    const hits = ann.search(0, unitVector(605), 1);
    expect(hits[0]!.id).toBe('p605');
  });

  it('an explicit settle builds at once after a failed build, without the retry wait', async () => {
    const dir = path.join(tempDir(), 'not-yet');
    const mem = mirrorOf(300);
    const errors: unknown[] = [];
    const ann = new CollectionAnn(mem, context(mem, dir, errors));
    await ann.settle(); // the directory is missing: the build fails
    expect(errors).toHaveLength(1);
    expect(ann.stats(['v'])[0]!.indexed).toBe(0);

    fs.mkdirSync(dir);
    await ann.settle();
    expect(errors).toHaveLength(1);
    expect(ann.stats(['v'])[0]).toMatchObject({ indexed: 300, tail: 0 });
  });
});
