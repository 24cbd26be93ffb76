import http from 'node:http';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestImagesDocument, SearchByImageDocument, StatsDocument } from '../../src/generated/graphql.js';
import { codes, gql } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { noise } from './corpus.js';
import { postRaw, within } from './http.js';

/** CSRF, API key and CORS, each against a real server configured for it. */

const KEY = 'test-key-0123456789';

/**
 * Sends the headers and the first 64 kB of a 50 MB multipart body, then stops writing: an answer proves
 * the server decided without reading the files.
 */
function partialMultipart(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'multipart/form-data; boundary=xyz',
        'content-length': String(50 * 1024 * 1024),
        ...headers,
      },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode!, body });
      });
    });
    req.on('error', reject);
    req.write(
      `--xyz\r\nContent-Disposition: form-data; name="0"; filename="a.png"\r\n\r\n${'x'.repeat(64 * 1024)}`,
    );
  });
}

const ingestOne = async (url: string, headers: Record<string, string> = {}) =>
  gql(
    url,
    IngestImagesDocument,
    { images: [null] },
    { files: { 'images.0': { bytes: await noise(32, 32), filename: 'a.png' } }, headers },
  );

describe('default access: CSRF and CORS', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('refuses multipart without a preflight header before reading the files', async () => {
    const res = await within(10_000, partialMultipart(server.url, {}));
    expect(res.status).toBe(400);
    expect(res.body).toContain('apollo-require-preflight');
  });

  it('refuses a JSON body sent as text/plain (a CORS "simple" request)', async () => {
    const res = await postRaw(server.url, JSON.stringify({ query: 'mutation { deleteImage(id: "00") }' }), {
      'content-type': 'text/plain',
    });
    expect(res.status).toBe(400);
    expect(res.json.data ?? null).toBeNull();
  });

  it('sends no CORS headers to a foreign origin when CORS_ORIGINS is unset', async () => {
    const pre = await fetch(`${server.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { origin: 'http://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ stats { imageCount } }' }),
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('API_KEY and CORS_ORIGINS set', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { API_KEY: KEY, CORS_ORIGINS: 'http://good.example' } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('mutations need the key; queries stay open', async () => {
    const wrong: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-key-0123456789' },
      { 'x-api-key': `${KEY}x` },
    ];
    for (const headers of wrong) {
      const res = await ingestOne(server.url, headers);
      expect(codes(res)).toEqual(['UNAUTHENTICATED']);
      expect(res.data ?? null).toBeNull();
    }
    expect((await gql(server.url, StatsDocument, {})).data!.stats.imageCount).toBe(0);
    expect((await ingestOne(server.url, { authorization: `Bearer ${KEY}` })).errors).toBeUndefined();
    expect((await ingestOne(server.url, { 'x-api-key': KEY })).errors).toBeUndefined();
    expect((await gql(server.url, StatsDocument, {})).data!.stats.imageCount).toBe(2);
  });

  it('searchByImage runs the models, so it needs the key like a mutation; text search stays open', async () => {
    const upload = async (query: string, headers: Record<string, string> = {}) =>
      gql(
        server.url,
        parse(query) as TypedDocumentNode<unknown, { image: null }>,
        { image: null },
        { files: { image: { bytes: await noise(32, 32), filename: 'q.png' } }, headers },
      );
    const direct =
      'query($image: Upload!) { searchByImage(image: $image, minScore: -1) { edges { score } } }';
    // The same field reached through a fragment on Query is caught too.
    const viaFragment =
      'query($image: Upload!) { ...F } fragment F on Query { searchByImage(image: $image) { edges { score } } }';
    for (const q of [direct, viaFragment]) expect(codes(await upload(q))).toEqual(['UNAUTHENTICATED']);
    const ok = await gql(
      server.url,
      SearchByImageDocument,
      { image: null },
      {
        files: { image: { bytes: await noise(32, 32), filename: 'q.png' } },
        headers: { authorization: `Bearer ${KEY}` },
      },
    );
    expect(ok.errors).toBeUndefined();
    const text = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ searchImages(text: "zebra") { edges { score } } }' }),
    });
    expect(((await text.json()) as { errors?: unknown }).errors).toBeUndefined();
  });

  it('echoes only listed origins', async () => {
    const origin = async (o: string) =>
      (
        await fetch(`${server.url}/graphql`, {
          method: 'OPTIONS',
          headers: { origin: o, 'access-control-request-method': 'POST' },
        })
      ).headers.get('access-control-allow-origin');
    expect(await origin('http://good.example')).toBe('http://good.example');
    expect(await origin('http://evil.example')).toBeNull();
    expect(await origin('http://good.example.evil.example')).toBeNull();
  });
});

describe('API_KEY_FOR_QUERIES=true', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { API_KEY: KEY, API_KEY_FOR_QUERIES: 'true' } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('queries need the key too', async () => {
    expect(codes(await gql(server.url, StatsDocument, {}))).toEqual(['UNAUTHENTICATED']);
    const ok = await gql(server.url, StatsDocument, {}, { headers: { authorization: `Bearer ${KEY}` } });
    expect(ok.errors).toBeUndefined();
  });
});
