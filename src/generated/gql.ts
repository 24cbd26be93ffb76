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
    "mutation Classify($image: Upload!, $limit: Int, $minScore: Float, $store: Boolean) {\n  classify(image: $image, limit: $limit, minScore: $minScore, store: $store) {\n    id\n    labels {\n      word\n      score\n    }\n    image {\n      ...ImageFields\n    }\n  }\n}": typeof types.ClassifyDocument,
    "fragment ImageFields on Image {\n  id\n  filename\n  contentType\n  format\n  width\n  height\n  bytes\n  createdAt\n  source\n  url\n  thumbnailUrl\n}\n\nfragment ConnectionFields on ImageConnection {\n  edges {\n    cursor\n    score\n    relevance\n    band\n    node {\n      ...ImageFields\n    }\n  }\n  pageInfo {\n    hasNextPage\n    endCursor\n  }\n  minScore\n  cutOff\n  usedWords\n  ignoredWords {\n    word\n    reason\n    suggestions\n  }\n}": typeof types.ImageFieldsFragmentDoc,
    "mutation IngestImages($images: [Upload!]!) {\n  ingestImages(images: $images) {\n    ...ImageFields\n    labels(limit: 5) {\n      word\n      score\n    }\n  }\n}\n\nmutation DeleteImage($id: ID!) {\n  deleteImage(id: $id)\n}": typeof types.IngestImagesDocument,
    "query SearchImages($text: String!, $first: Int, $after: String, $minScore: Float) {\n  searchImages(text: $text, first: $first, after: $after, minScore: $minScore) {\n    ...ConnectionFields\n  }\n}\n\nquery SimilarImages($id: ID!, $first: Int, $after: String, $minScore: Float) {\n  similarImages(id: $id, first: $first, after: $after, minScore: $minScore) {\n    ...ConnectionFields\n  }\n}\n\nquery SearchByImage($image: Upload!, $first: Int, $minScore: Float) {\n  searchByImage(image: $image, first: $first, minScore: $minScore) {\n    ...ConnectionFields\n    duplicateOf {\n      id\n    }\n  }\n}\n\nquery Image($id: ID!, $labels: Int) {\n  image(id: $id) {\n    ...ImageFields\n    labels(limit: $labels) {\n      word\n      score\n    }\n  }\n}\n\nquery Images($first: Int, $after: String) {\n  images(first: $first, after: $after) {\n    ...ConnectionFields\n  }\n}": typeof types.SearchImagesDocument,
    "query RelatedWords($word: String!, $limit: Int) {\n  relatedWords(word: $word, limit: $limit) {\n    word\n    score\n  }\n}\n\nquery Stats {\n  stats {\n    imageCount\n    vocabularySize\n    labelCount\n    store\n    models {\n      role\n      name\n      dimension\n      provider\n      fallbackReason\n    }\n  }\n}": typeof types.RelatedWordsDocument,
};
const documents: Documents = {
    "mutation Classify($image: Upload!, $limit: Int, $minScore: Float, $store: Boolean) {\n  classify(image: $image, limit: $limit, minScore: $minScore, store: $store) {\n    id\n    labels {\n      word\n      score\n    }\n    image {\n      ...ImageFields\n    }\n  }\n}": types.ClassifyDocument,
    "fragment ImageFields on Image {\n  id\n  filename\n  contentType\n  format\n  width\n  height\n  bytes\n  createdAt\n  source\n  url\n  thumbnailUrl\n}\n\nfragment ConnectionFields on ImageConnection {\n  edges {\n    cursor\n    score\n    relevance\n    band\n    node {\n      ...ImageFields\n    }\n  }\n  pageInfo {\n    hasNextPage\n    endCursor\n  }\n  minScore\n  cutOff\n  usedWords\n  ignoredWords {\n    word\n    reason\n    suggestions\n  }\n}": types.ImageFieldsFragmentDoc,
    "mutation IngestImages($images: [Upload!]!) {\n  ingestImages(images: $images) {\n    ...ImageFields\n    labels(limit: 5) {\n      word\n      score\n    }\n  }\n}\n\nmutation DeleteImage($id: ID!) {\n  deleteImage(id: $id)\n}": types.IngestImagesDocument,
    "query SearchImages($text: String!, $first: Int, $after: String, $minScore: Float) {\n  searchImages(text: $text, first: $first, after: $after, minScore: $minScore) {\n    ...ConnectionFields\n  }\n}\n\nquery SimilarImages($id: ID!, $first: Int, $after: String, $minScore: Float) {\n  similarImages(id: $id, first: $first, after: $after, minScore: $minScore) {\n    ...ConnectionFields\n  }\n}\n\nquery SearchByImage($image: Upload!, $first: Int, $minScore: Float) {\n  searchByImage(image: $image, first: $first, minScore: $minScore) {\n    ...ConnectionFields\n    duplicateOf {\n      id\n    }\n  }\n}\n\nquery Image($id: ID!, $labels: Int) {\n  image(id: $id) {\n    ...ImageFields\n    labels(limit: $labels) {\n      word\n      score\n    }\n  }\n}\n\nquery Images($first: Int, $after: String) {\n  images(first: $first, after: $after) {\n    ...ConnectionFields\n  }\n}": types.SearchImagesDocument,
    "query RelatedWords($word: String!, $limit: Int) {\n  relatedWords(word: $word, limit: $limit) {\n    word\n    score\n  }\n}\n\nquery Stats {\n  stats {\n    imageCount\n    vocabularySize\n    labelCount\n    store\n    models {\n      role\n      name\n      dimension\n      provider\n      fallbackReason\n    }\n  }\n}": types.RelatedWordsDocument,
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
export function graphql(source: "mutation Classify($image: Upload!, $limit: Int, $minScore: Float, $store: Boolean) {\n  classify(image: $image, limit: $limit, minScore: $minScore, store: $store) {\n    id\n    labels {\n      word\n      score\n    }\n    image {\n      ...ImageFields\n    }\n  }\n}"): (typeof documents)["mutation Classify($image: Upload!, $limit: Int, $minScore: Float, $store: Boolean) {\n  classify(image: $image, limit: $limit, minScore: $minScore, store: $store) {\n    id\n    labels {\n      word\n      score\n    }\n    image {\n      ...ImageFields\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment ImageFields on Image {\n  id\n  filename\n  contentType\n  format\n  width\n  height\n  bytes\n  createdAt\n  source\n  url\n  thumbnailUrl\n}\n\nfragment ConnectionFields on ImageConnection {\n  edges {\n    cursor\n    score\n    relevance\n    band\n    node {\n      ...ImageFields\n    }\n  }\n  pageInfo {\n    hasNextPage\n    endCursor\n  }\n  minScore\n  cutOff\n  usedWords\n  ignoredWords {\n    word\n    reason\n    suggestions\n  }\n}"): (typeof documents)["fragment ImageFields on Image {\n  id\n  filename\n  contentType\n  format\n  width\n  height\n  bytes\n  createdAt\n  source\n  url\n  thumbnailUrl\n}\n\nfragment ConnectionFields on ImageConnection {\n  edges {\n    cursor\n    score\n    relevance\n    band\n    node {\n      ...ImageFields\n    }\n  }\n  pageInfo {\n    hasNextPage\n    endCursor\n  }\n  minScore\n  cutOff\n  usedWords\n  ignoredWords {\n    word\n    reason\n    suggestions\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation IngestImages($images: [Upload!]!) {\n  ingestImages(images: $images) {\n    ...ImageFields\n    labels(limit: 5) {\n      word\n      score\n    }\n  }\n}\n\nmutation DeleteImage($id: ID!) {\n  deleteImage(id: $id)\n}"): (typeof documents)["mutation IngestImages($images: [Upload!]!) {\n  ingestImages(images: $images) {\n    ...ImageFields\n    labels(limit: 5) {\n      word\n      score\n    }\n  }\n}\n\nmutation DeleteImage($id: ID!) {\n  deleteImage(id: $id)\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query SearchImages($text: String!, $first: Int, $after: String, $minScore: Float) {\n  searchImages(text: $text, first: $first, after: $after, minScore: $minScore) {\n    ...ConnectionFields\n  }\n}\n\nquery SimilarImages($id: ID!, $first: Int, $after: String, $minScore: Float) {\n  similarImages(id: $id, first: $first, after: $after, minScore: $minScore) {\n    ...ConnectionFields\n  }\n}\n\nquery SearchByImage($image: Upload!, $first: Int, $minScore: Float) {\n  searchByImage(image: $image, first: $first, minScore: $minScore) {\n    ...ConnectionFields\n    duplicateOf {\n      id\n    }\n  }\n}\n\nquery Image($id: ID!, $labels: Int) {\n  image(id: $id) {\n    ...ImageFields\n    labels(limit: $labels) {\n      word\n      score\n    }\n  }\n}\n\nquery Images($first: Int, $after: String) {\n  images(first: $first, after: $after) {\n    ...ConnectionFields\n  }\n}"): (typeof documents)["query SearchImages($text: String!, $first: Int, $after: String, $minScore: Float) {\n  searchImages(text: $text, first: $first, after: $after, minScore: $minScore) {\n    ...ConnectionFields\n  }\n}\n\nquery SimilarImages($id: ID!, $first: Int, $after: String, $minScore: Float) {\n  similarImages(id: $id, first: $first, after: $after, minScore: $minScore) {\n    ...ConnectionFields\n  }\n}\n\nquery SearchByImage($image: Upload!, $first: Int, $minScore: Float) {\n  searchByImage(image: $image, first: $first, minScore: $minScore) {\n    ...ConnectionFields\n    duplicateOf {\n      id\n    }\n  }\n}\n\nquery Image($id: ID!, $labels: Int) {\n  image(id: $id) {\n    ...ImageFields\n    labels(limit: $labels) {\n      word\n      score\n    }\n  }\n}\n\nquery Images($first: Int, $after: String) {\n  images(first: $first, after: $after) {\n    ...ConnectionFields\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query RelatedWords($word: String!, $limit: Int) {\n  relatedWords(word: $word, limit: $limit) {\n    word\n    score\n  }\n}\n\nquery Stats {\n  stats {\n    imageCount\n    vocabularySize\n    labelCount\n    store\n    models {\n      role\n      name\n      dimension\n      provider\n      fallbackReason\n    }\n  }\n}"): (typeof documents)["query RelatedWords($word: String!, $limit: Int) {\n  relatedWords(word: $word, limit: $limit) {\n    word\n    score\n  }\n}\n\nquery Stats {\n  stats {\n    imageCount\n    vocabularySize\n    labelCount\n    store\n    models {\n      role\n      name\n      dimension\n      provider\n      fallbackReason\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;