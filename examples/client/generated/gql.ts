/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
  'query SearchImages($text: String!, $first: Int, $after: String, $minScore: Float) {\n  searchImages(text: $text, first: $first, after: $after, minScore: $minScore) {\n    usedWords\n    ignoredWords {\n      word\n      reason\n      suggestions\n    }\n    cutOff\n    edges {\n      score\n      relevance\n      band\n      node {\n        id\n        filename\n        url\n        thumbnailUrl\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nmutation Classify($image: Upload!, $limit: Int, $store: Boolean) {\n  classify(image: $image, limit: $limit, store: $store) {\n    id\n    labels {\n      word\n      score\n    }\n  }\n}\n\nmutation IngestImages($images: [Upload!]!) {\n  ingestImages(images: $images) {\n    id\n    filename\n    format\n    width\n    height\n    url\n    labels(limit: 3) {\n      word\n      score\n    }\n  }\n}': typeof types.SearchImagesDocument;
};
const documents: Documents = {
  'query SearchImages($text: String!, $first: Int, $after: String, $minScore: Float) {\n  searchImages(text: $text, first: $first, after: $after, minScore: $minScore) {\n    usedWords\n    ignoredWords {\n      word\n      reason\n      suggestions\n    }\n    cutOff\n    edges {\n      score\n      relevance\n      band\n      node {\n        id\n        filename\n        url\n        thumbnailUrl\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nmutation Classify($image: Upload!, $limit: Int, $store: Boolean) {\n  classify(image: $image, limit: $limit, store: $store) {\n    id\n    labels {\n      word\n      score\n    }\n  }\n}\n\nmutation IngestImages($images: [Upload!]!) {\n  ingestImages(images: $images) {\n    id\n    filename\n    format\n    width\n    height\n    url\n    labels(limit: 3) {\n      word\n      score\n    }\n  }\n}':
    types.SearchImagesDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'query SearchImages($text: String!, $first: Int, $after: String, $minScore: Float) {\n  searchImages(text: $text, first: $first, after: $after, minScore: $minScore) {\n    usedWords\n    ignoredWords {\n      word\n      reason\n      suggestions\n    }\n    cutOff\n    edges {\n      score\n      relevance\n      band\n      node {\n        id\n        filename\n        url\n        thumbnailUrl\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nmutation Classify($image: Upload!, $limit: Int, $store: Boolean) {\n  classify(image: $image, limit: $limit, store: $store) {\n    id\n    labels {\n      word\n      score\n    }\n  }\n}\n\nmutation IngestImages($images: [Upload!]!) {\n  ingestImages(images: $images) {\n    id\n    filename\n    format\n    width\n    height\n    url\n    labels(limit: 3) {\n      word\n      score\n    }\n  }\n}',
): (typeof documents)['query SearchImages($text: String!, $first: Int, $after: String, $minScore: Float) {\n  searchImages(text: $text, first: $first, after: $after, minScore: $minScore) {\n    usedWords\n    ignoredWords {\n      word\n      reason\n      suggestions\n    }\n    cutOff\n    edges {\n      score\n      relevance\n      band\n      node {\n        id\n        filename\n        url\n        thumbnailUrl\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nmutation Classify($image: Upload!, $limit: Int, $store: Boolean) {\n  classify(image: $image, limit: $limit, store: $store) {\n    id\n    labels {\n      word\n      score\n    }\n  }\n}\n\nmutation IngestImages($images: [Upload!]!) {\n  ingestImages(images: $images) {\n    id\n    filename\n    format\n    width\n    height\n    url\n    labels(limit: 3) {\n      word\n      score\n    }\n  }\n}'];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> =
  TDocumentNode extends DocumentNode<infer TType, any> ? TType : never;
