import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { gql } from '../support/graphql-client.js';
import { ANIMAL_PHOTOS, STAMPS } from '../support/test-data.js';
import { startTestServer, TEST_BACKEND, type TestServer } from '../support/test-server.js';

/**
 * The page at / and the explorer at /graphql in a real (headless) Chromium against a real server. Any
 * console error (CSP violations included), uncaught exception or request to another host fails the test.
 */

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];
const COLLECTION = ['zebra', 'giraffe', 'elephant', 'hippopotamus', 'horse'] as const;
const UPLOAD = `${STAMPS}/animals/mammals/cats/lion.png`;
/** Tests write only to temporary paths; `npm run screenshot` points this at docs/screenshot.png. */
const SCREENSHOT = process.env.VISEM_SCREENSHOT ?? path.join(tmpdir(), `visem-screenshot-${process.pid}.png`);

const Ingest = parse(
  'mutation Ingest($images: [Upload!]!) { ingestImages(images: $images) { id filename } }',
) as TypedDocumentNode<{ ingestImages: { id: string; filename: string }[] }, { images: null[] }>;

describe('web page and API explorer in Chromium', () => {
  let server: TestServer;
  let origin: string;
  let profile: string;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    origin = new URL(server.url).origin;
    const files: Record<string, { bytes: Uint8Array; filename: string; type: string }> = {};
    for (const [i, name] of COLLECTION.entries()) {
      files[`images.${i}`] = {
        bytes: await readFile(ANIMAL_PHOTOS[name]),
        filename: `${name}.png`,
        type: 'image/png',
      };
    }
    const ingested = await gql(server.url, Ingest, { images: COLLECTION.map(() => null) }, { files });
    expect(ingested.errors).toBeUndefined();
    expect(ingested.data?.ingestImages).toHaveLength(COLLECTION.length);

    profile = await mkdtemp(path.join(tmpdir(), 'visem-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
      headless: true,
      viewport: { width: 1280, height: 1000 },
      colorScheme: 'light',
    });
    // Nothing may leave the test server's origin (no CDN, fonts or telemetry): record and refuse.
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.origin === origin) return route.continue();
      problems.push(`request to another host: ${url.href}`);
      return route.abort();
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => {
      if (message.type() === 'error')
        problems.push(`console error: ${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  });

  afterEach(() => {
    const found = problems.splice(0);
    expect(found).toEqual([]);
  });

  afterAll(async () => {
    await context?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
    await server?.stop();
  });

  const results = () => page.getByTestId('search-results').locator('li');

  it('serves the page same-origin under a strict Content-Security-Policy and shows stats', async () => {
    const response = await page.goto(`${server.url}/`);
    expect(response?.status()).toBe(200);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toContain('unsafe');
    await expect.poll(() => page.getByTestId('status').textContent()).toMatch(/5 images · [\d,]+ words/);
    expect(await page.getByTestId('status').textContent()).toContain(`store: ${TEST_BACKEND}`);
    // The collection is listed before any search, each result a thumbnail with alt text.
    await expect.poll(() => results().count()).toBe(COLLECTION.length);
    expect(await results().first().locator('img').getAttribute('alt')).toMatch(/\.png/);
  });

  it('serves only the listed vendor files, and GraphQL GETs still reach the API', async () => {
    const vendor = await fetch(`${server.url}/vendor/graphiql.min.js`);
    expect(vendor.status).toBe(200);
    expect(vendor.headers.get('content-type')).toMatch(/javascript/);
    for (const name of ['package.json', '__proto__', '..%2Fpackage.json']) {
      expect((await fetch(`${server.url}/vendor/${name}`)).status).toBe(404);
    }
    const api = await fetch(`${server.url}/graphql?query=${encodeURIComponent('{ stats { imageCount } }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(await api.json()).toEqual({ data: { stats: { imageCount: COLLECTION.length } } });
  });

  it('typing "elephant" ranks the elephant first, with scores and loaded thumbnails', async () => {
    await page.getByTestId('search-input').fill('elephant');
    await page.getByRole('heading', { name: 'Images for “elephant”' }).waitFor();
    await page.locator('[data-testid=search-results] .score').first().waitFor();
    const first = results().first();
    expect(await first.locator('.name').textContent()).toBe('elephant.png');
    expect(await first.locator('.score').textContent()).toMatch(/^score -?\d\.\d\d$/);
    expect(await first.getByTestId('band').textContent()).toMatch(/^(strong|weak) match$/);
    expect(await first.locator('.card-tags').textContent()).toMatch(/^[a-z-]+ \d\.\d\d/);
    // The list ends at the cut-off and says so; the weaker matches are one click away.
    const note = page.getByTestId('cut-note');
    await note.waitFor();
    expect(await note.textContent()).toMatch(/relevance cut-off \(score \d\.\d\d\)/);
    expect(await results().count()).toBeLessThan(COLLECTION.length);
    await note.getByRole('button', { name: 'Show weaker matches' }).click();
    await expect.poll(() => results().count()).toBe(COLLECTION.length);
    expect(await page.getByTestId('search-results').getByText('below cut-off').count()).toBeGreaterThan(0);
    await first.locator('img').evaluate((img: HTMLImageElement) => img.decode());
    expect(await first.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(
      0,
    );
    expect(new URL(page.url()).searchParams.get('q')).toBe('elephant');
  });

  it('an uploaded photo gets a tag cloud; choosing a tag searches for it', async () => {
    await page.getByTestId('upload-input').setInputFiles(UPLOAD);
    const tags = page.getByTestId('tag-cloud').locator('button');
    await tags.first().waitFor();
    const words = await tags.allTextContents();
    expect(words.length).toBeGreaterThan(3);
    for (const word of words) expect(word).toMatch(/^\S.*$/u);
    // Font size follows the score: the first (best) tag is the largest.
    const sizes = await tags.evaluateAll((els) => els.map((el) => parseFloat(getComputedStyle(el).fontSize)));
    expect(sizes[0]).toBe(Math.max(...sizes));
    expect(
      await page
        .locator('#upload-preview')
        .evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth)),
    ).toBeGreaterThan(0);

    await mkdir(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    const word = words[1]!;
    await tags.nth(1).click();
    await page.getByRole('heading', { name: `Images for “${word}”` }).waitFor();
    expect(await page.getByTestId('search-input').inputValue()).toBe(word);
    // The new search's answer (the previous one stays on screen until it comes), then its results above
    // the cut-off, or the note that none is (the weaker ones one click away).
    await expect.poll(() => page.getByTestId('query-words').textContent()).toBe(`Searched for: ${word}`);
    await page
      .locator('[data-testid=search-results] .score, [data-testid=cut-note]:visible')
      .first()
      .waitFor();
    // Not stored (the box was not ticked).
    expect(await page.getByTestId('status').textContent()).toMatch(/^5 images/);
  });

  it('a file that is not an image is refused with a readable message', async () => {
    await page.getByTestId('upload-input').setInputFiles({
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('not an image'),
    });
    const message = page.getByTestId('upload-message');
    await message.getByText(/^Unsupported image/).waitFor(); // e.g. "Unsupported image: the file is not a readable image"
    expect(await page.locator('#upload-result').isHidden()).toBe(true);
  });

  it('"store it in the collection" stores the upload', async () => {
    await page.getByLabel('Store it in the collection').check();
    await page.getByTestId('upload-input').setInputFiles(ANIMAL_PHOTOS.pig);
    await page.getByText('Tags for pig.png (stored)').waitFor();
    await expect.poll(() => page.getByTestId('status').textContent()).toMatch(/^6 images/);
  });

  it('a result opens with the keyboard: its own tags and similar images', async () => {
    await page.getByTestId('search-input').fill('elephant');
    await page.getByRole('heading', { name: 'Images for “elephant”' }).waitFor();
    await page.locator('[data-testid=search-results] .score').first().waitFor();
    await results().first().locator('button').focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'elephant.png' });
    await dialog.waitFor();
    await page.getByTestId('image-tags').locator('button').first().waitFor();
    // Five drawings may all fall below the image→image cut-off: then the note offers them.
    const similarCut = page.getByTestId('similar-cut');
    await page
      .locator('[data-testid=similar-results] .score, [data-testid=similar-cut]:visible')
      .first()
      .waitFor();
    if (await similarCut.isVisible())
      await similarCut.getByRole('button', { name: 'Show weaker matches' }).click();
    await page.locator('[data-testid=similar-results] .score').first().waitFor();
    const similar = await page.getByTestId('similar-results').locator('.name').allTextContents();
    expect(similar.length).toBeGreaterThan(0);
    expect(similar).not.toContain('elephant.png');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });

  it('a phrase says which words it searched for and which it left out', async () => {
    await page.getByTestId('search-input').fill('a photo of an elephant and a zebbra');
    const words = page.getByTestId('query-words');
    await expect.poll(() => words.textContent()).toMatch(/left out/);
    const text = (await words.textContent())!;
    expect(text).toContain('“a” (stop word)');
    expect(text).toMatch(/“zebbra” \(unknown; did you mean [^)]*zebra/);
    expect(await results().first().locator('.name').textContent()).toBe('elephant.png');
  });

  it('an unknown word is reported, with any suggestions as links', async () => {
    await page.getByTestId('search-input').fill('zebbra');
    const alert = page.getByTestId('search-message');
    await alert.getByText('Unknown word: zebbra.').waitFor();
    const links = alert.getByRole('link');
    if ((await links.count()) > 0) {
      const suggestion = (await links.first().textContent())!;
      await links.first().click();
      await page.getByRole('heading', { name: `Images for “${suggestion}”` }).waitFor();
      expect(await page.getByTestId('search-input').inputValue()).toBe(suggestion);
      await alert.waitFor({ state: 'hidden' });
    }
  });

  it('the explorer at /graphql runs a query, with the schema docs, from this origin only', async () => {
    const response = await page.goto(`${server.url}/graphql`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'self'");
    // The example operations are preloaded as tabs.
    for (const tab of ['Stats', 'SearchImages', 'Classify', 'SimilarImages', 'RelatedWords']) {
      await page.getByRole('tab', { name: tab }).waitFor();
    }
    expect(await page.locator('.graphiql-query-editor').textContent()).toContain('curl');
    // Type a query as a user would (the editor closes brackets itself; typing over them keeps one each).
    await page.locator('.graphiql-query-editor .CodeMirror').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type('{ stats { imageCount } }');
    // GraphiQL picks the operation name from the edited text after a short debounce.
    await page.waitForTimeout(600);
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(() => page.locator('.graphiql-response').textContent()).toMatch(/"imageCount":\s*6/);
    // The docs explorer is built from introspection over the same endpoint.
    await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
    const docs = page.locator('.graphiql-doc-explorer');
    await docs.locator('a', { hasText: 'Query' }).first().click();
    await docs.getByText('searchImages').first().waitFor();
  });
});
