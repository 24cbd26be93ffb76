import { spawn } from 'node:child_process';
import { copyFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { ANIMAL_PHOTOS, TEST_ENV, testTemplateDir } from '../support/test-data.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI (TypeScript through the test loader) with the test settings. */
function visem(args: string[], env: Record<string, string>): Promise<Run> {
  const root = packageRoot();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        path.join(root, 'test/support/ts-loader.mjs'),
        path.join(root, 'src/cli/main.ts'),
        ...args,
      ],
      { cwd: root, env: { ...process.env, ...TEST_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

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
    expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(2);
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
  });
});
