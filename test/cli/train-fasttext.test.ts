import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { runCli as visem } from '../support/cli.js';
import { STAMPS, TEST_ENV } from '../support/test-data.js';

/**
 * The README's fastText recipe end to end: a real fastText .bin (made here by the fasttext CLI) as
 * WORD_VECTORS, then `visem train` → a head in that space → `vocab import` accepts it → the server
 * tags with that vocabulary. Before, train always used GloVe 100-d and `vocab import` refused the head.
 */

const run = promisify(execFile);

// Labels of the training folders (seen) and of the evaluation folders (the zero-shot split's unseen).
const SEEN: Record<string, string[]> = {
  apple: ['food/fruit/apple_green', 'food/fruit/apple_red', 'food/fruit/apple_fuji'],
  lion: ['animals/mammals/cats/lion', 'animals/mammals/cats/lion-2'],
  tiger: ['animals/mammals/cats/tiger', 'animals/mammals/cats/tiger_sumatran'],
  frog: ['animals/amphibians/frog', 'animals/amphibians/frog-1'],
};
const UNSEEN: Record<string, string[]> = {
  chick: ['seasonal/easter/chick', 'seasonal/easter/chick-hatched'],
  cow: ['animals/mammals/bovines/cow', 'animals/mammals/bovines/cow_white'],
  donkey: ['animals/mammals/equines/donkey', 'animals/mammals/equines/donkey_eating'],
  heron: ['animals/birds/heron_greatblue', 'animals/birds/heron_greatblue_flying'],
  rabbit: ['animals/mammals/rodents/rabbit', 'animals/mammals/rodents/rabbit-2'],
  sheep: ['animals/mammals/bovines/sheep', 'animals/mammals/bovines/sheep_lamb'],
};
const CONTEXT: Record<string, string> = {
  apple: 'fruit tree orchard sweet',
  lion: 'cat savanna mane wild',
  tiger: 'cat jungle stripe wild',
  frog: 'pond green water',
  chick: 'farm egg bird yellow',
  cow: 'farm milk grass field',
  donkey: 'farm cart field ears',
  heron: 'bird pond water wings',
  rabbit: 'grass ears field burrow',
  sheep: 'farm wool grass field',
};

/** A small deterministic corpus: each label among its context words, in rotating orders. */
function corpus(): string {
  const lines: string[] = [];
  for (let i = 0; i < 60; i++) {
    for (const [label, context] of Object.entries(CONTEXT)) {
      const words = ['the', label, ...context.split(' '), label];
      const shift = i % words.length;
      lines.push([...words.slice(shift), ...words.slice(0, shift)].join(' '));
    }
  }
  return `${lines.join('\n')}\n`;
}

async function labelledFolders(dir: string, sets: Record<string, string[]>): Promise<void> {
  for (const [label, files] of Object.entries(sets)) {
    await mkdir(path.join(dir, label), { recursive: true });
    for (const f of files)
      await copyFile(`${STAMPS}/${f}.png`, path.join(dir, label, `${f.replaceAll('/', '-')}.png`));
  }
}

describe('visem train with WORD_VECTORS = a fastText .bin', () => {
  let work: string;
  let env: Record<string, string>;
  let vocabulary: Set<string>;
  const head = () => path.join(work, 'head');

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'visem-fasttext-'));
    await writeFile(path.join(work, 'corpus.txt'), corpus());
    const model = path.join(work, 'words16');
    await run('fasttext', [
      ...['skipgram', '-input', path.join(work, 'corpus.txt'), '-output', model],
      ...['-dim', '16', '-minCount', '1', '-epoch', '5', '-bucket', '2000', '-thread', '1', '-verbose', '0'],
    ]);
    // The .vec fastText writes beside the .bin lists the vocabulary (header line: count and dimension).
    const vec = (await readFile(`${model}.vec`, 'utf8')).trim().split('\n').slice(1);
    vocabulary = new Set(vec.map((l) => l.split(' ')[0]!));
    // A fresh data dir: the shared template holds the GloVe vocabulary.
    env = { DATA_DIR: path.join(work, 'data'), WORD_VECTORS: `${model}.bin` };
    await labelledFolders(path.join(work, 'seen'), SEEN);
    await labelledFolders(path.join(work, 'all'), { ...SEEN, ...UNSEEN });
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('train projects into the configured 16-d fastText space', async () => {
    const trained = await visem(
      ['train', '--images', path.join(work, 'seen'), '--out', head(), '--epochs', '3', '--hidden', '16'],
      env,
    );
    expect(trained.stderr).not.toMatch(/error/i);
    expect(trained.code).toBe(0);
    expect(trained.stdout).toMatch(/4 concepts\).*16-d words16\.bin head in /);
    const manifest = JSON.parse(await readFile(path.join(head(), 'manifest.json'), 'utf8')) as {
      wordVectors: string;
      output: { dimension: number };
    };
    expect(manifest).toMatchObject({ wordVectors: 'words16.bin', output: { dimension: 16 } });
  });

  it('eval ranks in the same space and label vocabulary', async () => {
    const evaluated = await visem(['eval', '--images', path.join(work, 'all'), '--heads', head()], env);
    expect(evaluated.stderr).not.toMatch(/error/i);
    expect(evaluated.code).toBe(0);
    // Six unseen concepts of two images each, ranked among the six: hit@10 is trivial.
    expect(evaluated.stdout).toMatch(/head \(NOT held out\)\s+unseen labels\s+12\s+[\d.]+\s+[\d.]+\s+-/);
  });

  it('vocab import accepts the head, and the server tags with the fastText vocabulary', async () => {
    const imported = await visem(['vocab', 'import'], { ...env, HEAD: head() });
    expect(imported.stderr).not.toMatch(/error/i);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain(`vocabulary: ${vocabulary.size} words in the embedded store`);

    const config = loadConfig({ ...TEST_ENV, ...env, HEAD: head() });
    const services = await createServices(config, createLogger('silent'), undefined, { background: false });
    try {
      const bytes = await readFile(`${STAMPS}/animals/mammals/cats/lion.png`);
      const { labels } = await services.classify.classify(bytes, {
        limit: 5,
        store: false,
        filename: 'lion.png',
      });
      expect(labels).toHaveLength(5);
      for (const l of labels) expect(vocabulary).toContain(l.word);
    } finally {
      await services.close();
    }
  });
});
