import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClassifyDocument,
  ImageDocument,
  IngestImagesDocument,
  StatsDocument,
} from '../../src/generated/graphql.js';
import { codes, gql, type GraphQLResult, type UploadFile } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { hostileCorpus, noise, workingCorpus, type HostileCase } from './corpus.js';
import { connectionTrap, postRaw, rawCodes, within } from './http.js';

/** Hang detector per request (not a performance target). */
const CEILING_MS = 20_000;

/** A refused answer: the expected typed code, a 2xx or 4xx status (never 5xx), no INTERNAL_SERVER_ERROR. */
function expectRefused(res: GraphQLResult<unknown>, expected: string[], label = ''): void {
  const got = `${label}: HTTP ${res.status} ${JSON.stringify(codes(res))}`;
  expect(res.status, got).toBeLessThan(500);
  expect(codes(res), got).not.toContain('INTERNAL_SERVER_ERROR');
  expect(codes(res).length, got).toBeGreaterThan(0);
  for (const code of codes(res)) expect(expected, got).toContain(code);
}

describe('hostile uploads and GraphQL abuse', () => {
  let server: TestServer;
  let trap: Awaited<ReturnType<typeof connectionTrap>>;
  let hostile: HostileCase[];

  const imageCount = async () => (await gql(server.url, StatsDocument, {})).data!.stats.imageCount;

  beforeAll(async () => {
    server = await startTestServer();
    trap = await connectionTrap();
    hostile = await hostileCorpus(trap.url);
  });
  afterAll(async () => {
    await trap?.close();
    await server?.stop();
  });

  it('refuses every hostile file in classify and ingestImages with a typed code, storing nothing', async () => {
    for (const c of hostile) {
      const classified = await within(
        CEILING_MS,
        gql(server.url, ClassifyDocument, { image: null }, { files: { image: c.file } }),
      );
      expectRefused(classified, c.expect, `classify ${c.name}`);
      const ingested = await within(
        CEILING_MS,
        gql(server.url, IngestImagesDocument, { images: [null] }, { files: { 'images.0': c.file } }),
      );
      expectRefused(ingested, c.expect, `ingestImages ${c.name}`);
    }
    // Still up and nothing stored.
    expect(await imageCount()).toBe(0);
  });

  it('never parses the SVG: no connection reaches the URL it references', () => {
    expect(hostile.some((c) => c.name.startsWith('SVG'))).toBe(true);
    expect(trap.connections()).toBe(0);
  });

  it('accepts unusual but valid images, with EXIF-rotated sizes', async () => {
    for (const c of await workingCorpus()) {
      const res = await gql(
        server.url,
        IngestImagesDocument,
        { images: [null] },
        { files: { 'images.0': c.file } },
      );
      expect(res.errors, c.name).toBeUndefined();
      const image = res.data!.ingestImages[0]!;
      expect([image.width, image.height], c.name).toEqual([c.width, c.height]);
      const stored = await fetch(`${server.url}${image.url}`);
      expect(stored.status, c.name).toBe(200);
    }
  });

  it('a multi-file ingest with one bad file fails and stores nothing', async () => {
    const before = await imageCount();
    const good = { bytes: await noise(64, 64), filename: 'good.png', type: 'image/png' };
    // The truncated JPEG passes the header check and fails only when decoded: the late failure.
    for (const bad of hostile.filter((c) => ['truncated JPEG', 'text named .png'].includes(c.name))) {
      const res = await gql(
        server.url,
        IngestImagesDocument,
        { images: [null, null, null] },
        {
          files: {
            'images.0': good,
            'images.1': bad.file,
            'images.2': { ...good, bytes: await noise(64, 64) },
          },
        },
      );
      expectRefused(res, bad.expect);
    }
    // Give any write the failed request left running time to land before counting.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await imageCount()).toBe(before);
  });

  it('refuses more than MAX_FILES files in one request with TOO_MANY_FILES', async () => {
    const files: Record<string, UploadFile> = {};
    const png = await noise(16, 16);
    for (let i = 0; i < 17; i++)
      files[`images.${i}`] = { bytes: png, filename: `${i}.png`, type: 'image/png' };
    const before = await imageCount();
    const res = await gql(server.url, IngestImagesDocument, { images: Array(17).fill(null) }, { files });
    expectRefused(res, ['TOO_MANY_FILES']);
    expect(await imageCount()).toBe(before);
  });

  describe('GraphQL abuse', () => {
    const query = (q: string, variables: Record<string, unknown> = {}) =>
      within(CEILING_MS, postRaw(server.url, JSON.stringify({ query: q, variables })));
    const refusedWith = (r: Awaited<ReturnType<typeof postRaw>>, allowed: string[]) => {
      expect(r.status).toBeLessThan(500);
      expect(r.json.data ?? null).toBeNull();
      expect(rawCodes(r).length).toBeGreaterThan(0);
      for (const code of rawCodes(r)) expect(allowed).toContain(code);
    };
    const invalid = ['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED'];

    it('refuses queries nested past MAX_QUERY_DEPTH, directly or through fragments', async () => {
      // `__type { ofType { … } }` nests as deep as asked; `stats` makes it a non-introspection query.
      const nested = (n: number) =>
        `__type(name: "Image") { ${'ofType { '.repeat(n)} name ${'} '.repeat(n)} }`;
      const ok = await query(`{ stats { imageCount } ${nested(6)} }`);
      expect(rawCodes(ok), JSON.stringify(ok.json.errors)).toEqual([]);
      refusedWith(await query(`{ stats { imageCount } ${nested(12)} }`), invalid);
      // Introspection-only documents get a higher, still finite, limit.
      refusedWith(await query(`{ ${nested(40)} }`), invalid);
      const fragments = Array.from(
        { length: 12 },
        (_, i) => `fragment F${i} on __Type { ofType { ...F${i + 1} } }`,
      );
      refusedWith(
        await query(
          `{ stats { imageCount } __type(name: "Image") { ...F0 } } ${fragments.join(' ')} fragment F12 on __Type { name }`,
        ),
        invalid,
      );
    });

    it('refuses cyclic fragments without hanging', async () => {
      const r = await query(
        '{ images { ...A } } fragment A on ImageConnection { ...B } fragment B on ImageConnection { ...A }',
      );
      refusedWith(r, invalid);
    });

    it('refuses thousands of aliases', async () => {
      const fields = Array.from({ length: 5000 }, (_, i) => `a${i}: stats { imageCount }`).join(' ');
      refusedWith(await query(`{ ${fields} }`), invalid);
    });

    it('refuses huge page sizes and overlong text as BAD_USER_INPUT', async () => {
      refusedWith(await query('{ images(first: 2000000000) { edges { cursor } } }'), ['BAD_USER_INPUT']);
      refusedWith(
        await query('query($t: String!) { searchImages(text: $t, first: 5) { edges { cursor } } }', {
          t: 'zebra '.repeat(10_000),
        }),
        ['BAD_USER_INPUT'],
      );
      refusedWith(await query('{ searchImages(text: "zebra", first: -1) { edges { cursor } } }'), [
        'BAD_USER_INPUT',
      ]);
    });

    it('answers malformed JSON and batched arrays with a 4xx', async () => {
      const malformed = await within(
        CEILING_MS,
        postRaw(server.url, '{"query": "{ stats { imageCount } ', {}),
      );
      expect(malformed.status).toBeGreaterThanOrEqual(400);
      expect(malformed.status).toBeLessThan(500);
      const bad = await within(
        CEILING_MS,
        postRaw(server.url, '{"query": "{ stats { imageCount } ', { 'content-type': 'application/json' }),
      );
      expect(bad.status).toBeGreaterThanOrEqual(400);
      expect(bad.status).toBeLessThan(500);
      const batch = JSON.stringify(
        Array.from({ length: 100 }, () => ({ query: '{ stats { imageCount } }' })),
      );
      const batched = await within(CEILING_MS, postRaw(server.url, batch));
      expect(batched.status).toBeGreaterThanOrEqual(400);
      expect(batched.status).toBeLessThan(500);
    });

    it('does not fetch a URL given where an upload is expected', async () => {
      const r = await query('mutation($image: Upload!) { classify(image: $image) { id } }', {
        image: trap.url,
      });
      refusedWith(r, ['BAD_USER_INPUT']);
      const byId = await gql(server.url, ImageDocument, { id: trap.url });
      expect(codes(byId)).toEqual(['BAD_USER_INPUT']);
      expect(trap.connections()).toBe(0);
    });
  });

  it('is still up and answering afterwards', async () => {
    const res = await gql(server.url, StatsDocument, {});
    expect(res.errors).toBeUndefined();
  });
});
