import { copyFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { runCli as visem } from '../support/cli.js';
import { ANIMAL_PHOTOS, testTemplateDir } from '../support/test-data.js';

/** What a new user meets first: version, missing paths, a busy port, a .env file. */
describe('visem CLI first contact', () => {
  let work: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'visem-newcomer-'));
    await cp(testTemplateDir(), path.join(work, 'data'), { recursive: true });
    env = { DATA_DIR: path.join(work, 'data') };
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(await readFile(path.join(packageRoot(), 'package.json'), 'utf8')) as {
      version: string;
    };
    const run = await visem(['--version'], env);
    expect(run).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it('ingest names every path it could not use, ingests the rest, and exits non-zero', async () => {
    const photos = path.join(work, 'photos');
    await mkdir(path.join(photos, 'empty'), { recursive: true });
    await copyFile(ANIMAL_PHOTOS.zebra, path.join(photos, 'zebra.png'));
    const missing = path.join(work, 'missing.jpg');
    const glob = path.join(photos, '*.nothing');
    const run = await visem(
      ['ingest', path.join(photos, 'zebra.png'), missing, path.join(photos, 'empty'), glob],
      env,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`NOT FOUND ${missing}: no such file or directory`);
    expect(run.stderr).toContain(`NOT FOUND ${path.join(photos, 'empty')}: no image files`);
    expect(run.stderr).toContain(`NOT FOUND ${glob}: the pattern matched no image files`);
    expect(run.stdout).toContain('ingested 1 files: 1 new');
    // Alone, a missing path is named too.
    const alone = await visem(['ingest', missing], env);
    expect(alone.code).toBe(1);
    expect(alone.stderr).toContain(`NOT FOUND ${missing}: no such file or directory`);
  });

  it('a port in use stops serve with one line naming the port and the fix, no stack trace', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const run = await visem(['serve'], { ...env, PORT: String(port) });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        `visem: CONFIG_INVALID: cannot listen on 127.0.0.1:${port}: port ${port} is already in use`,
      );
      expect(run.stderr).not.toMatch(/^\s+at /m);
    } finally {
      blocker.close();
    }
  });

  it('reads .env from the working directory; the environment wins over it', async () => {
    const dir = path.join(work, 'cwd');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, '.env'), 'MAX_FILES=1000\nPORT=not-a-port\n');
    const fromFile = await visem(['serve'], env, dir);
    expect(fromFile.code).toBe(1);
    expect(fromFile.stderr).toContain('CONFIG_INVALID');
    expect(fromFile.stderr).toMatch(/PORT: /);
    // MAX_FILES is only checked against the capacity once every value parses.
    const overridden = await visem(['serve'], { ...env, PORT: '0', MAX_FILES: '1000' }, dir);
    expect(overridden.code).toBe(1);
    expect(overridden.stderr).toMatch(
      /MAX_FILES: 1000 files per request exceeds the inference capacity of 48/,
    );
    expect(overridden.stderr).not.toMatch(/PORT: /);
    // --env-file names another file.
    await writeFile(path.join(dir, 'other.env'), 'INFERENCE_QUEUE=-1\n');
    const other = await visem(['--env-file', path.join(dir, 'other.env'), 'serve'], env, dir);
    expect(other.stderr).toMatch(/INFERENCE_QUEUE: /);
  });
});
