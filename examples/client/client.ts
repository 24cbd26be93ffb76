/**
 * A typed visem client: Apollo Client with apollo-upload-client's terminating link, which sends a GraphQL
 * multipart request (https://github.com/jaydenseric/graphql-multipart-request-spec) whenever the variables
 * hold a File, and plain JSON otherwise. The documents and their types come from ./generated (codegen).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ApolloClient, InMemoryCache } from '@apollo/client/core/index.js';
import createUploadLink from 'apollo-upload-client/createUploadLink.mjs';
import {
  ClassifyDocument,
  IngestImagesDocument,
  SearchImagesDocument,
  type ClassifyMutation,
  type IngestImagesMutation,
  type SearchImagesQuery,
} from './generated/graphql.js';

export type SearchResult = SearchImagesQuery['searchImages'];
export type Classification = ClassifyMutation['classify'];
export type IngestedImage = IngestImagesMutation['ingestImages'][number];

export interface VisemClientOptions {
  /** Sent as `Authorization: Bearer …` when the server sets API_KEY. */
  apiKey?: string;
}

export interface VisemClient {
  searchImages(
    text: string,
    options?: { first?: number; after?: string; minScore?: number },
  ): Promise<SearchResult>;
  classify(image: File, options?: { limit?: number; store?: boolean }): Promise<Classification>;
  ingestImages(images: File[]): Promise<IngestedImage[]>;
  /** Where the server serves an image path such as `url` or `thumbnailUrl` (they are same-origin paths). */
  absoluteUrl(imagePath: string): string;
  stop(): void;
}

/** `endpoint` is the GraphQL URL, e.g. http://127.0.0.1:4000/graphql. */
export function createVisemClient(endpoint: string, options: VisemClientOptions = {}): VisemClient {
  const headers: Record<string, string> = {
    // Apollo Server's CSRF prevention refuses multipart/form-data (a "simple" request any web page could
    // send cross-site) unless a header like this one forces a CORS preflight.
    'apollo-require-preflight': 'true',
  };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  const client = new ApolloClient({
    link: createUploadLink({ uri: endpoint, headers }),
    cache: new InMemoryCache(),
    // A command-line client: always ask the server, never answer a query from the cache.
    defaultOptions: { query: { fetchPolicy: 'no-cache' }, mutate: { fetchPolicy: 'no-cache' } },
  });
  return {
    async searchImages(text, { first, after, minScore } = {}) {
      const { data } = await client.query({
        query: SearchImagesDocument,
        variables: { text, first, after, minScore },
      });
      return data.searchImages;
    },
    async classify(image, { limit, store } = {}) {
      const { data } = await client.mutate({
        mutation: ClassifyDocument,
        variables: { image, limit, store },
      });
      return required(data).classify;
    },
    async ingestImages(images) {
      const { data } = await client.mutate({ mutation: IngestImagesDocument, variables: { images } });
      return required(data).ingestImages;
    },
    absoluteUrl: (imagePath) => new URL(imagePath, endpoint).href,
    stop: () => client.stop(),
  };
}

/** A local file as an upload; its name goes with it (the server keeps it as `filename`). */
export async function fileFromPath(file: string): Promise<File> {
  return new File([await readFile(file)], path.basename(file));
}

// With the default errorPolicy ('none') Apollo throws on GraphQL errors, so data is only missing if the
// server sent neither.
function required<T>(data: T | null | undefined): T {
  if (data == null) throw new Error('the server answered without data');
  return data;
}
