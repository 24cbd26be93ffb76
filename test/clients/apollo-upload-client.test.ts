import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  ApolloClient,
  ApolloError,
  InMemoryCache,
  type NormalizedCacheObject,
} from '@apollo/client/core/index.js';
import createUploadLink from 'apollo-upload-client/createUploadLink.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClassifyDocument, IngestImagesDocument, StatsDocument } from '../../src/generated/graphql.js';
import { packageRoot } from '../../src/paths.js';
import { ANIMAL_PHOTOS } from '../support/test-data.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const PHOTOS = path.join(packageRoot(), 'test/fixtures/photos');

/** A file as a Node 20 client holds one: a global File, which apollo-upload-client extracts. */
async function file(p: string): Promise<File> {
  return new File([await readFile(p)], path.basename(p), {
    type: p.endsWith('.png') ? 'image/png' : 'image/jpeg',
  });
}

/**
 * Apollo Client over apollo-upload-client's link, as an app would set it up. The header: Apollo Server's CSRF
 * prevention refuses multipart/form-data (a CORS "simple" request) unless a header forces a preflight.
 */
function client(endpoint: string, headers: Record<string, string> = { 'apollo-require-preflight': 'true' }) {
  return new ApolloClient<NormalizedCacheObject>({
    link: createUploadLink({ uri: endpoint, headers }),
    cache: new InMemoryCache(),
  });
}

describe('uploads through Apollo Client + apollo-upload-client (GraphQL multipart request spec)', () => {
  let server: TestServer;
  let apollo: ApolloClient<NormalizedCacheObject>;

  beforeAll(async () => {
    server = await startTestServer();
    apollo = client(`${server.url}/graphql`);
  });
  afterAll(async () => {
    apollo?.stop();
    await server?.stop();
  });

  it('classify(image: Upload!) returns ranked labels for a File, storing nothing', async () => {
    const { data } = await apollo.mutate({
      mutation: ClassifyDocument,
      variables: { image: await file(ANIMAL_PHOTOS.zebra), limit: 5 },
    });
    const labels = data!.classify.labels;
    expect(labels).toHaveLength(5);
    expect(labels.every((l) => /^[a-z-]+$/.test(l.word) && l.score <= 1)).toBe(true);
    expect(labels.map((l) => l.score)).toEqual(labels.map((l) => l.score).sort((a, b) => b - a));
    expect(labels.map((l) => l.word)).toContain('zebra');
    expect(data!.classify.id).toMatch(/^[0-9a-f]{64}$/);
    expect(data!.classify.image).toBeNull();
    const stats = await apollo.query({ query: StatsDocument, fetchPolicy: 'no-cache' });
    expect(stats.data.stats.imageCount).toBe(0);
  });

  it('ingestImages stores three Files (JPEG and PNG) in upload order, and again idempotently', async () => {
    const paths = [path.join(PHOTOS, 'giraffe.jpg'), path.join(PHOTOS, 'cow.jpg'), ANIMAL_PHOTOS.elephant];
    const ingest = async () =>
      (
        await apollo.mutate({
          mutation: IngestImagesDocument,
          variables: { images: await Promise.all(paths.map(file)) },
        })
      ).data!.ingestImages;

    const first = await ingest();
    expect(first.map((i) => i.filename)).toEqual(['giraffe.jpg', 'cow.jpg', 'elephant.png']);
    expect(first.map((i) => i.format)).toEqual(['jpeg', 'jpeg', 'png']);
    for (const img of first) {
      expect(img.id).toMatch(/^[0-9a-f]{64}$/);
      expect(img.width).toBeGreaterThan(0);
      expect(img.labels).toHaveLength(5);
    }
    expect(new Set(first.map((i) => i.id)).size).toBe(3);

    // Idempotent by content hash: the same ids, nothing new stored.
    const again = await ingest();
    expect(again.map((i) => i.id)).toEqual(first.map((i) => i.id));
    const stats = await apollo.query({ query: StatsDocument, fetchPolicy: 'no-cache' });
    expect(stats.data.stats.imageCount).toBe(3);
  });

  it('without the preflight header the same upload is refused (CSRF prevention), before any file is read', async () => {
    const bare = client(`${server.url}/graphql`, {});
    try {
      const refused = bare.mutate({
        mutation: ClassifyDocument,
        variables: { image: await file(ANIMAL_PHOTOS.zebra) },
      });
      await expect(refused).rejects.toBeInstanceOf(ApolloError);
      await expect(refused).rejects.toMatchObject({ networkError: { statusCode: 400 } });
    } finally {
      bare.stop();
    }
  });
});
