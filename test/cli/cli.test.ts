import { copyFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { runCli as visem } from '../support/cli.js';
import { startTestServer } from '../support/test-server.js';
import { ANIMAL_PHOTOS, STAMPS, testTemplateDir } from '../support/test-data.js';

describe('visem CLI', () => {
  let work: string;
  let env: Record<string, string>;
  let photos: string;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'visem-cli-'));
    await cp(testTemplateDir(), path.join(work, 'data'), { recursive: true });
    env = { DATA_DIR: path.join(work, 'data') };
    photos = path.join(work, 'photos');
    await mkdir(path.join(photos, 'nested'), { recursive: true });
    await copyFile(ANIMAL_PHOTOS.zebra, path.join(photos, 'zebra.png'));
    await copyFile(ANIMAL_PHOTOS.giraffe, path.join(photos, 'nested', 'giraffe.png'));
    await writeFile(path.join(photos, 'broken.jpg'), 'not an image at all');
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('ingest walks folders, reports per-file failures and exits non-zero when any file failed', async () => {
    const report = path.join(work, 'report.json');
    const run = await visem(['ingest', photos, '--report', report], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('ingested 3 files: 2 new, 0 already stored, 1 failed');
    expect(run.stderr).toMatch(/FAILED .*broken\.jpg: UNSUPPORTED_IMAGE/);
    const json = JSON.parse(await readFile(report, 'utf8')) as {
      created: number;
      failed: { code: string }[];
    };
    expect(json.created).toBe(2);
    expect(json.failed.map((f) => f.code)).toEqual(['UNSUPPORTED_IMAGE']);
  });

  it('a rerun skips what is stored, and succeeds once the bad file is gone', async () => {
    await rm(path.join(photos, 'broken.jpg'));
    const run = await visem(['ingest', photos], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('ingested 2 files: 0 new, 2 already stored, 0 failed');
  });

  it('export then import moves the image points between data dirs', async () => {
    const file = path.join(work, 'images.jsonl');
    const out = await visem(['export', file], env);
    expect(out.code).toBe(0);
    // A header with the models that wrote the images, then one line per image.
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      metadata: { visem: { identity: { encoder: {}, head: {} } } },
    });
    const other = { DATA_DIR: path.join(work, 'other') };
    await cp(testTemplateDir(), other.DATA_DIR, { recursive: true });
    const imported = await visem(['import', file], other);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('imported 2 images into the embedded store');
  });

  it('schema prints the committed SDL', async () => {
    const run = await visem(['schema'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(await readFile(path.join(packageRoot(), 'schema/schema.graphql'), 'utf8'));
  });

  it('bad configuration fails fast, listing every bad value', async () => {
    const run = await visem(['ingest', photos], { ...env, PORT: 'x', MAX_FILES: '0' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('CONFIG_INVALID');
    expect(run.stderr).toContain('PORT');
    expect(run.stderr).toContain('MAX_FILES');
    for (const concurrency of ['0', 'many']) {
      const bad = await visem(['ingest', photos, '--concurrency', concurrency], env);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/--concurrency.*positive integer/);
    }
  });

  it('train writes a servable head from a folder per label, eval scores it, bad options are refused', async () => {
    const labelled = path.join(work, 'labelled');
    const stamps: Record<string, string[]> = {
      apple: ['food/fruit/apple_green', 'food/fruit/apple_red', 'food/fruit/apple_fuji'],
      lion: ['animals/mammals/cats/lion', 'animals/mammals/cats/lion-2', 'animals/mammals/cats/cartoon/lion'],
      pig: ['animals/mammals/pig', 'animals/mammals/pig_golden', 'animals/mammals/pig_golden2'],
      rabbit: [
        'animals/mammals/rodents/rabbit',
        'animals/mammals/rodents/rabbit-2',
        'animals/mammals/rabbit_little',
      ],
      frog: ['animals/amphibians/frog', 'animals/amphibians/frog-1'],
      flower: ['plants/flowers/flower1', 'plants/flowers/flower2', 'plants/flowers/flower3'],
      tiger: ['animals/mammals/cats/tiger', 'animals/mammals/cats/tiger_sumatran'],
      banana: ['food/fruit/banana', 'food/fruit/cartoon/banana'],
    };
    for (const [label, files] of Object.entries(stamps)) {
      await mkdir(path.join(labelled, label), { recursive: true });
      for (const f of files)
        await copyFile(`${STAMPS}/${f}.png`, path.join(labelled, label, `${path.basename(f)}.png`));
    }
    const head = path.join(work, 'head');
    const args = ['train', '--images', labelled, '--out', head, '--epochs', '3', '--hidden', '32'];
    const run = await visem([...args, '--loss', 'softmax', '--conse', '1', '--augment', '--seed', '7'], env);
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /trained on \d+ images \(\d+ rows, \d+ concepts\); best epoch [1-3], validation softmax loss/,
    );
    const manifest = JSON.parse(await readFile(path.join(head, 'manifest.json'), 'utf8')) as {
      output: { dimension: number };
      architecture: string;
      training: {
        lossFunction: string;
        config: { hidden: number[]; loss: string; seed: number };
        conse?: object;
        augment: string[];
        trainImages: number;
        trainRows: number;
      };
    };
    expect(manifest.output.dimension).toBe(100);
    expect(manifest.training.config).toMatchObject({ hidden: [32], loss: 'softmax', seed: 7 });
    expect(manifest.training.lossFunction).toMatch(/softmax/);
    // --augment: every training image also joins as its mirrored and zoomed views.
    expect(manifest.training.augment).toEqual(['flop', 'zoom']);
    expect(manifest.training.trainRows).toBe(3 * manifest.training.trainImages);
    // The ConSE blend over the labels it trained on is part of the exported graph.
    expect(manifest.architecture).toMatch(/ConSE blend \(\d+ classes, τ 0.03, weight 1\)/);
    expect(manifest.training.conse).toMatchObject({ weight: 1, temperature: 0.03 });

    // One unseen concept (rabbit) is too few to measure: eval refuses rather than print 100 % rows
    // (test/cli/train-small.test.ts evaluates a large enough split).
    const evaluation = await visem(['eval', '--images', labelled, '--heads', head], env);
    expect(evaluation.code).toBe(1);
    expect(evaluation.stderr).toMatch(
      /too few held-out images to evaluate: .* 1 unseen concept with 3 images/,
    );

    // The trained head is what the server then answers with (HEAD may name any head directory).
    const server = await startTestServer({ env: { HEAD: head } });
    try {
      const res = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ stats { models { role name dimension } } }' }),
      });
      expect(JSON.stringify(await res.json())).toContain(`"role":"head","name":"${path.basename(head)}"`);
    } finally {
      await server.stop();
    }

    const bad = await visem([...args.slice(0, -4), '--epochs', '0', '--loss', 'hinge'], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--epochs.*positive integer/);
    const badBlend = await visem([...args, '--conse', '-1'], env);
    expect(badBlend.code).not.toBe(0);
    expect(badBlend.stderr).toMatch(/--conse.*number ≥ 0/);
    const badSeed = await visem([...args, '--seed', '1.5'], env);
    expect(badSeed.code).not.toBe(0);
    expect(badSeed.stderr).toMatch(/--seed.*integer ≥ 0/);
  });
});
