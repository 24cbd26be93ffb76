import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ClassifyMutation,
  IngestImagesMutation,
  SearchImagesQuery,
} from '../../examples/client/generated/graphql.js';
import { runTsScript, type CliRun } from '../support/cli.js';
import { ANIMAL_PHOTOS } from '../support/test-data.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** Runs examples/client/main.ts as a user would: its own process, real Apollo Client, the server's URL. */
function example(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runTsScript('examples/client/main.ts', args, { ...process.env, ...env });
}

function json<T>(run: CliRun): T {
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as T;
}

describe('examples/client against a real server', () => {
  let server: TestServer;
  let endpoint: string;
  let tmp: string;
  const photos = [ANIMAL_PHOTOS.zebra, ANIMAL_PHOTOS.elephant, ANIMAL_PHOTOS.frog];

  beforeAll(async () => {
    server = await startTestServer();
    endpoint = `${server.url}/graphql`;
    tmp = await mkdtemp(path.join(tmpdir(), 'visem-example-'));
  });
  afterAll(async () => {
    await server?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('ingest stores the files and prints them (idempotent on a second run)', async () => {
    const images = json<IngestImagesMutation['ingestImages']>(
      await example(['--url', endpoint, '--json', 'ingest', ...photos]),
    );
    expect(images.map((i) => i.filename)).toEqual(['zebra.png', 'elephant.png', 'frog.png']);
    for (const img of images) {
      expect(img.id).toMatch(/^[0-9a-f]{64}$/);
      expect(img.labels).toHaveLength(3);
    }
    const again = json<IngestImagesMutation['ingestImages']>(
      await example(['--url', endpoint, '--json', 'ingest', ...photos]),
    );
    expect(again.map((i) => i.id)).toEqual(images.map((i) => i.id));
    expect((await server.services.stats.snapshot()).imageCount).toBe(3);

    // The default output: one line per image with its labels.
    const text = await example(['--url', endpoint, 'ingest', ANIMAL_PHOTOS.zebra]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^${images[0]!.id.slice(0, 12)}  zebra\\.png \\d+x\\d+  \\S`));
  });

  it('classify prints ranked labels', async () => {
    const result = json<ClassifyMutation['classify']>(
      await example(['--url', endpoint, '--json', 'classify', ANIMAL_PHOTOS.zebra, '--limit', '5']),
    );
    expect(result.labels).toHaveLength(5);
    expect(result.labels.map((l) => l.word)).toContain('zebra');
  });

  it('search finds the matching image first, with a URL that serves it (VISEM_URL from the environment)', async () => {
    const result = json<SearchImagesQuery['searchImages']>(
      await example(['--json', 'search', 'elephant'], { VISEM_URL: endpoint }),
    );
    expect(result.usedWords).toEqual(['elephant']);
    expect(result.edges[0]!.node.filename).toBe('elephant.png');
    const text = await example(['search', 'an', 'elephant'], { VISEM_URL: endpoint });
    expect(text.code, text.stderr).toBe(0);
    const url = /(http:\/\/\S+)/.exec(text.stdout.split('\n')[0]!)![1]!;
    expect(url).toBe(`${server.url}${result.edges[0]!.node.url}`);
    expect((await fetch(url)).headers.get('content-type')).toMatch(/^image\//);
    expect(text.stdout).toContain('ignored: an (STOP_WORD)');
  });

  it("reports the server's error codes and usage errors with an exit status", async () => {
    const notAnImage = path.join(tmp, 'notes.jpg');
    await writeFile(notAnImage, 'not an image\n');
    const refused = await example(['--url', endpoint, 'classify', notAnImage]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^UNSUPPORTED_IMAGE: /m);

    const unknown = await example(['--url', endpoint, 'search', 'zebraa']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^UNKNOWN_WORD: /m);

    const belowCutOff = json<SearchImagesQuery['searchImages']>(
      await example(['--url', endpoint, '--json', 'search', 'zebra', '--min-score=-1']),
    );
    expect(belowCutOff.edges).toHaveLength(3);
    expect(belowCutOff.cutOff).toBe(false);

    const usage = await example(['--url', endpoint, 'frobnicate']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('usage:');
  });

  it('sends --api-key (or $VISEM_API_KEY) as a bearer token to a server that sets API_KEY', async () => {
    const key = 'example-client-key';
    const locked = await startTestServer({ env: { API_KEY: key } });
    try {
      const url = `${locked.url}/graphql`;
      const refused = await example(['--url', url, 'ingest', ANIMAL_PHOTOS.frog]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^UNAUTHENTICATED: /m);
      const withFlag = await example(['--url', url, '--api-key', key, 'ingest', ANIMAL_PHOTOS.frog]);
      expect(withFlag.code, withFlag.stderr).toBe(0);
      const fromEnv = await example(['--url', url, 'classify', ANIMAL_PHOTOS.frog], { VISEM_API_KEY: key });
      expect(fromEnv.code, fromEnv.stderr).toBe(0);
    } finally {
      await locked.stop();
    }
  });
});
