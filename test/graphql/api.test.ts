import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClassifyDocument,
  DeleteImageDocument,
  ImageDocument,
  ImagesDocument,
  IngestImagesDocument,
  RelatedWordsDocument,
  SearchByImageDocument,
  SearchImagesDocument,
  SimilarImagesDocument,
  StatsDocument,
  type ImagesQuery,
  type SearchImagesQuery,
} from '../../src/generated/graphql.js';
import { codes, gql, type GraphQLResult, type UploadFile } from '../support/graphql-client.js';
import { ANIMAL_PHOTOS } from '../support/test-data.js';
import { startTestServer, TEST_BACKEND, type TestServer } from '../support/test-server.js';

async function photo(name: keyof typeof ANIMAL_PHOTOS): Promise<UploadFile> {
  const file = ANIMAL_PHOTOS[name];
  return { bytes: await readFile(file), filename: path.basename(file), type: 'image/png' };
}

describe(`GraphQL API over HTTP (real models, ${TEST_BACKEND} store)`, () => {
  let server: TestServer;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** One ingestImages request with these files, in order. */
  const ingestImages = (files: UploadFile[]) =>
    gql(
      server.url,
      IngestImagesDocument,
      { images: files.map(() => null) },
      { files: Object.fromEntries(files.map((f, i) => [`images.${i}`, f])) },
    );

  it('ingestImages stores a batch of uploads and returns them in order', async () => {
    const names = Object.keys(ANIMAL_PHOTOS) as (keyof typeof ANIMAL_PHOTOS)[];
    const files = await Promise.all(names.map(photo));
    const res = await ingestImages(files);
    expect(res.errors).toBeUndefined();
    const images = res.data!.ingestImages;
    expect(images.map((i) => i.filename)).toEqual(files.map((f) => f.filename));
    images.forEach((img, i) => {
      ids[names[i]!] = img.id;
      expect(img.id).toMatch(/^[0-9a-f]{64}$/);
      expect(img.format).toBe('png');
      expect(img.width).toBeGreaterThan(0);
      expect(img.labels).toHaveLength(5);
    });
  });

  it('ingestImages is idempotent by content hash', async () => {
    const zebra = await photo('zebra');
    const res = await gql(
      server.url,
      IngestImagesDocument,
      { images: [null] },
      { files: { 'images.0': zebra } },
    );
    expect(res.data!.ingestImages[0]!.id).toBe(ids.zebra);
    const stats = await gql(server.url, StatsDocument, {});
    expect(stats.data!.stats.imageCount).toBe(Object.keys(ANIMAL_PHOTOS).length);
  });

  it('ingestImages with the same new bytes twice and a stored image stores one new image', async () => {
    const file = '/usr/share/tuxpaint/stamps/animals/birds/adelaide-rosella.png';
    const bird = { bytes: await readFile(file), filename: path.basename(file), type: 'image/png' };
    const files = [bird, bird, await photo('zebra')];
    const res = await ingestImages(files);
    expect(res.errors).toBeUndefined();
    const [a, b, zebra] = res.data!.ingestImages.map((i) => i.id);
    expect(a).toBe(b);
    expect(zebra).toBe(ids.zebra);
    const count = async () => (await gql(server.url, StatsDocument, {})).data!.stats.imageCount;
    expect(await count()).toBe(Object.keys(ANIMAL_PHOTOS).length + 1);
    expect((await gql(server.url, DeleteImageDocument, { id: a! })).data!.deleteImage).toBe(true);
    expect(await count()).toBe(Object.keys(ANIMAL_PHOTOS).length);
  });

  it('searchImages("elephant") ranks the elephant photo first, with scores in order', async () => {
    const res = await gql(server.url, SearchImagesDocument, { text: 'elephant', first: 10 });
    expect(res.errors).toBeUndefined();
    const edges = res.data!.searchImages.edges;
    expect(edges[0]!.node.id).toBe(ids.elephant);
    const scores = edges.map((e) => e.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it('each animal word finds its own photo first for most of the ten animals (the shipped head)', async () => {
    // The ConSE head over EfficientNet-Lite2 (README: zebra, tiger, elephant, pig and frog first over the
    // whole Tux Paint animals folder); the InceptionV3 head managed 7 of these 10. Below 5 is a regression.
    const firsts: string[] = [];
    for (const name of Object.keys(ANIMAL_PHOTOS)) {
      const res = await gql(server.url, SearchImagesDocument, { text: name, first: 3 });
      if (res.data!.searchImages.edges[0]!.node.id === ids[name]) firsts.push(name);
    }
    expect(firsts.length, `first for: ${firsts.join(', ')}`).toBeGreaterThanOrEqual(5);
  });

  it('pages searchImages with cursors, without gaps or duplicates', async () => {
    // minScore -1: page over every stored image, not only those above the cut-off.
    const all = await gql(server.url, SearchImagesDocument, {
      text: 'wild animal',
      first: 100,
      minScore: -1,
    });
    const expected = all.data!.searchImages.edges.map((e) => e.node.id);
    expect(expected).toHaveLength(Object.keys(ANIMAL_PHOTOS).length);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: GraphQLResult<SearchImagesQuery> = await gql(server.url, SearchImagesDocument, {
        text: 'wild animal',
        first: 2,
        after,
        minScore: -1,
      });
      const conn = page.data!.searchImages;
      seen.push(...conn.edges.map((e) => e.node.id));
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor!;
    }
    expect(seen).toEqual(expected);
  });

  it('classify returns ranked labels, and stores the image only when asked', async () => {
    const zebra = await photo('zebra');
    const res = await gql(
      server.url,
      ClassifyDocument,
      { image: null, limit: 5 },
      { files: { image: zebra } },
    );
    expect(res.errors).toBeUndefined();
    const labels = res.data!.classify.labels;
    expect(labels).toHaveLength(5);
    expect(labels.every((l) => /^[a-z-]+$/.test(l.word) && l.score <= 1)).toBe(true);
    expect(res.data!.classify.image).toBeNull();

    const grey = await sharp(zebra.bytes).greyscale().flip().png().toBuffer();
    const stored = await gql(
      server.url,
      ClassifyDocument,
      { image: null, store: true },
      { files: { image: { bytes: grey, filename: 'grey-zebra.png' } } },
    );
    expect(stored.data!.classify.image!.id).toBe(stored.data!.classify.id);
    const img = await fetch(`${server.url}${stored.data!.classify.image!.url}`);
    expect(img.headers.get('content-type')).toMatch(/^image\//);
    const thumb = await fetch(`${server.url}${stored.data!.classify.image!.thumbnailUrl}`);
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');
    expect((await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).width).toBeLessThanOrEqual(256);
  });

  it('similarImages and searchByImage never list the query image; a stored upload is duplicateOf', async () => {
    const similar = await gql(server.url, SimilarImagesDocument, { id: ids.zebra!, first: 20, minScore: -1 });
    expect(similar.errors).toBeUndefined();
    const edges = similar.data!.similarImages.edges;
    expect(edges.map((e) => e.node.id)).not.toContain(ids.zebra);
    const stored = (await gql(server.url, StatsDocument, {})).data!.stats.imageCount;
    expect(edges).toHaveLength(stored - 1);
    const byImage = await gql(
      server.url,
      SearchByImageDocument,
      { image: null, first: 20, minScore: -1 },
      { files: { image: await photo('giraffe') } },
    );
    const conn = byImage.data!.searchByImage;
    expect(conn.duplicateOf?.id).toBe(ids.giraffe);
    expect(conn.edges.map((e) => e.node.id)).not.toContain(ids.giraffe);
    expect(conn.edges.every((e) => e.score <= 1 && e.score >= -1)).toBe(true);
    // A changed copy is a new image: it is no duplicate, and the original ranks first at a score below 1.
    const grey = await sharp(await readFile(ANIMAL_PHOTOS.giraffe))
      .greyscale()
      .png()
      .toBuffer();
    const near = await gql(
      server.url,
      SearchByImageDocument,
      { image: null, first: 3 },
      { files: { image: { bytes: grey, filename: 'grey-giraffe.png' } } },
    );
    expect(near.data!.searchByImage.duplicateOf).toBeNull();
    expect(near.data!.searchByImage.edges[0]!.node.id).toBe(ids.giraffe);
    expect(near.data!.searchByImage.edges[0]!.score).toBeLessThan(1);
  });

  describe('relevance', () => {
    it('phrases with stop words are answered, and say which words were used', async () => {
      for (const [text, used] of [
        ['a red car', ['red', 'car']],
        ['I like dogs', ['like', 'dogs']],
        ['a cup of coffee', ['cup', 'coffee']],
        ['Photo of THE Zebra!', ['zebra']],
      ] as const) {
        const res = await gql(server.url, SearchImagesDocument, { text, minScore: -1 });
        expect(res.errors, text).toBeUndefined();
        const conn = res.data!.searchImages;
        expect(conn.usedWords, text).toEqual(used);
        expect(conn.edges.length, text).toBeGreaterThan(0);
      }
      const res = await gql(server.url, SearchImagesDocument, {
        text: 'a zebraa in the grass',
        minScore: -1,
      });
      const conn = res.data!.searchImages;
      expect(conn.usedWords).toEqual(['grass']);
      const ignored = Object.fromEntries(conn.ignoredWords!.map((w) => [w.word, w]));
      expect(ignored.a!.reason).toBe('STOP_WORD');
      expect(ignored.zebraa!.reason).toBe('UNKNOWN');
      expect(ignored.zebraa!.suggestions).toContain('zebra');
    });

    it('relatedWords reads a phrase the same way', async () => {
      const res = await gql(server.url, RelatedWordsDocument, { word: 'a cup of coffee', limit: 5 });
      expect(res.errors).toBeUndefined();
      const words = res.data!.relatedWords.map((w) => w.word);
      expect(words).not.toContain('cup');
      expect(words).not.toContain('coffee');
    });

    it('suggestions are words, never punctuation', async () => {
      const res = await gql(server.url, SearchImagesDocument, { text: 'the xq' });
      expect(codes(res)).toEqual(['UNKNOWN_WORD']);
      const suggestions = res.errors![0]!.extensions!.suggestions as Record<string, string[]>;
      expect(suggestions.xq!.length).toBeGreaterThan(0);
      expect(suggestions.xq!.every((w) => /^\p{L}+(?:['-]\p{L}+)*$/u.test(w))).toBe(true);
    });

    it('lists end at the calibrated cut-off, with bands; a lower minScore shows the rest', async () => {
      const cut = (await gql(server.url, SearchImagesDocument, { text: 'elephant', first: 20 })).data!
        .searchImages;
      const all = (await gql(server.url, SearchImagesDocument, { text: 'elephant', first: 20, minScore: -1 }))
        .data!.searchImages;
      expect(cut.minScore).toBeGreaterThan(0);
      expect(all.minScore).toBe(-1);
      expect(cut.edges[0]!.node.id).toBe(ids.elephant);
      expect(cut.edges.length).toBeLessThan(all.edges.length);
      expect(cut.cutOff).toBe(true);
      expect(cut.pageInfo.hasNextPage).toBe(false);
      expect(cut.edges.every((e) => e.score >= cut.minScore! && e.band !== 'BELOW_CUTOFF')).toBe(true);
      const below = all.edges.filter((e) => e.score < cut.minScore!);
      expect(below.length).toBeGreaterThan(0);
      expect(below.every((e) => e.band === 'BELOW_CUTOFF')).toBe(true);
      // Relevance is a probability that grows with the score.
      const rel = all.edges.map((e) => e.relevance!);
      expect(rel.every((r) => r > 0 && r < 1)).toBe(true);
      expect([...rel].sort((a, b) => b - a)).toEqual(rel);
    });
  });

  it('image, images and labels(limit) read back what was stored', async () => {
    const one = await gql(server.url, ImageDocument, { id: ids.elephant!, labels: 20 });
    expect(one.data!.image!.filename).toBe('elephant.png');
    expect(one.data!.image!.labels).toHaveLength(20);
    const missing = await gql(server.url, ImageDocument, { id: '0'.repeat(64) });
    expect(missing.data!.image).toBeNull();
    const listed: string[] = [];
    let after: string | null = null;
    do {
      const page: GraphQLResult<ImagesQuery> = await gql(server.url, ImagesDocument, { first: 3, after });
      listed.push(...page.data!.images.edges.map((e) => e.node.id));
      after = page.data!.images.pageInfo.hasNextPage ? page.data!.images.pageInfo.endCursor! : null;
    } while (after);
    expect(new Set(listed).size).toBe(listed.length);
    expect(listed).toEqual(expect.arrayContaining(Object.values(ids)));
  });

  it('relatedWords gives neighbours of a word, not the word itself', async () => {
    const res = await gql(server.url, RelatedWordsDocument, { word: 'zebra', limit: 5 });
    const words = res.data!.relatedWords.map((w) => w.word);
    expect(words).toHaveLength(5);
    expect(words).not.toContain('zebra');
    expect(
      words.some((w) => ['giraffe', 'zebras', 'elephant', 'rhino', 'antelope', 'hippo'].includes(w)),
    ).toBe(true);
  });

  it('stats reports counts, backend and models', async () => {
    const res = await gql(server.url, StatsDocument, {});
    const s = res.data!.stats;
    expect(s.store).toBe(TEST_BACKEND);
    expect(s.vocabularySize).toBe(100_000);
    expect(s.labelCount).toBeGreaterThan(1000);
    expect(s.models.map((m) => m.role)).toEqual(['encoder', 'head', 'wordVectors']);
    expect(s.models[0]).toMatchObject({ name: 'efficientnet-lite2', dimension: 1280, provider: 'cpu' });
    expect(s.models[0]!.fallbackReason).toBeNull();
  });

  it('deleteImage removes the image and its files', async () => {
    const del = await gql(server.url, DeleteImageDocument, { id: ids.pig! });
    expect(del.data!.deleteImage).toBe(true);
    expect((await gql(server.url, DeleteImageDocument, { id: ids.pig! })).data!.deleteImage).toBe(false);
    expect((await fetch(`${server.url}/images/${ids.pig}`)).status).toBe(404);
  });

  describe('bad input gets typed errors', () => {
    it('unknown words, with suggestions', async () => {
      const res = await gql(server.url, SearchImagesDocument, { text: 'zebraa' });
      expect(codes(res)).toEqual(['UNKNOWN_WORD']);
      const suggestions = res.errors![0]!.extensions!.suggestions as Record<string, string[]>;
      expect(suggestions.zebraa).toContain('zebra');
    });

    it('out-of-range arguments and long text', async () => {
      expect(codes(await gql(server.url, SearchImagesDocument, { text: 'zebra', first: 101 }))).toEqual([
        'BAD_USER_INPUT',
      ]);
      expect(codes(await gql(server.url, SearchImagesDocument, { text: 'zebra', first: 0 }))).toEqual([
        'BAD_USER_INPUT',
      ]);
      expect(codes(await gql(server.url, SearchImagesDocument, { text: 'zebra', minScore: 2 }))).toEqual([
        'BAD_USER_INPUT',
      ]);
      expect(codes(await gql(server.url, SearchImagesDocument, { text: 'a'.repeat(201) }))).toEqual([
        'BAD_USER_INPUT',
      ]);
      expect(codes(await gql(server.url, RelatedWordsDocument, { word: 'cat', limit: 1000 }))).toEqual([
        'BAD_USER_INPUT',
      ]);
      expect(codes(await gql(server.url, SearchImagesDocument, { text: 'zebra', after: 'bogus' }))).toEqual([
        'BAD_USER_INPUT',
      ]);
      expect(codes(await gql(server.url, SimilarImagesDocument, { id: 'nope' }))).toEqual(['BAD_USER_INPUT']);
      expect(codes(await gql(server.url, SimilarImagesDocument, { id: 'f'.repeat(64) }))).toEqual([
        'NOT_FOUND',
      ]);
    });

    it('files that are not images', async () => {
      const text = { bytes: Buffer.from('hello, I am not a PNG'), filename: 'fake.png', type: 'image/png' };
      expect(
        codes(await gql(server.url, ClassifyDocument, { image: null }, { files: { image: text } })),
      ).toEqual(['UNSUPPORTED_IMAGE']);
      const empty = { bytes: new Uint8Array(), filename: 'empty.jpg' };
      expect(
        codes(await gql(server.url, ClassifyDocument, { image: null }, { files: { image: empty } })),
      ).toEqual(['UNSUPPORTED_IMAGE']);
    });

    it('multipart without the CSRF preflight header is refused before reading files', async () => {
      const res = await gql(
        server.url,
        ClassifyDocument,
        { image: null },
        { files: { image: await photo('zebra') }, headers: { 'apollo-require-preflight': '' } },
      );
      expect(res.status).toBe(400);
    });
  });
});
