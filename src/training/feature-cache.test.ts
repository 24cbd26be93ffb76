import { appendFile, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FeatureCache } from './feature-cache.js';
import { readLabelledImages } from './labelled-images.js';

const dir = await mkdtemp(path.join(tmpdir(), 'visem-cache-'));
afterAll(() => rm(dir, { recursive: true, force: true }));
const enc = 'ab'.repeat(32);

describe('FeatureCache', () => {
  it('persists vectors across reopen and repairs a torn tail', async () => {
    const cache = await FeatureCache.open(dir, enc, 3);
    await cache.putMany([
      { sha: 's1', vector: Float32Array.from([1, 2, 3]) },
      { sha: 's2', vector: Float32Array.from([4, 5, 6]) },
      { sha: 's1', vector: Float32Array.from([9, 9, 9]) },
    ]);
    await cache.close();
    // Simulate a crash: half a record and half an index line.
    await appendFile(path.join(dir, enc, 'features.f32'), Buffer.alloc(6));
    await appendFile(path.join(dir, enc, 'index.jsonl'), '{"sha":"s3","ro');

    const again = await FeatureCache.open(dir, enc, 3);
    expect(again.size).toBe(2);
    expect(Array.from(again.get('s1')!)).toEqual([1, 2, 3]);
    expect(Array.from(again.get('s2')!)).toEqual([4, 5, 6]);
    expect((await stat(path.join(dir, enc, 'features.f32'))).size).toBe(2 * 3 * 4);
    await again.putMany([{ sha: 's3', vector: Float32Array.from([7, 8, 9]) }]);
    await again.close();
    const third = await FeatureCache.open(dir, enc, 3);
    expect(Array.from(third.get('s3')!)).toEqual([7, 8, 9]);
    await third.close();
  });
});

describe('readLabelledImages', () => {
  const vocab = {
    isKnown: (w: string) => ['dog', 'cat', 'hot'].includes(w),
    isNoun: (w: string) => ['dog', 'cat', 'hot_dog'].includes(w),
  };

  it('reads a path,label CSV relative to its folder and maps labels to words', async () => {
    const csv = path.join(dir, 'labels.csv');
    await writeFile(csv, 'path,label\nimgs/a.png,A happy dog\n"imgs/b, c.png",hot dog\nimgs/d.png,zzz\n');
    const { items, skippedLabels } = await readLabelledImages(csv, vocab);
    expect(items).toEqual([
      { path: path.join(dir, 'imgs/a.png'), label: 'A happy dog', words: ['dog'], concept: 'dog' },
      { path: path.join(dir, 'imgs/b, c.png'), label: 'hot dog', words: ['hot', 'dog'], concept: 'hot dog' },
    ]);
    expect(skippedLabels).toEqual([{ label: 'zzz', images: 1 }]);
  });
});
