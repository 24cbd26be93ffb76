import type { CollectionSpec } from '../store/vector-store.js';

/** The two collections of one vector database, sized from the loaded models. */
export const IMAGES = 'images';
export const VOCABULARY = 'vocabulary';
/** Where `visem reindex` builds the new images collection before it takes the place of `images`. */
export const IMAGES_REINDEX = 'images_reindex';
/** Tags kept in each image's payload. */
export const STORED_TAG_COUNT = 10;

export function imagesCollection(semanticSize: number, visualSize: number): CollectionSpec {
  return {
    name: IMAGES,
    vectors: { semantic: { size: semanticSize }, visual: { size: visualSize } },
    indexedFields: { createdAt: 'integer', source: 'keyword', format: 'keyword' },
  };
}

export function vocabularyCollection(size: number): CollectionSpec {
  return {
    name: VOCABULARY,
    vectors: { semantic: { size } },
    indexedFields: { label: 'bool', rank: 'integer' },
  };
}

export interface WordScore {
  word: string;
  score: number;
}

/** What the images collection keeps next to the vectors. */
export interface ImagePayload {
  filename: string;
  contentType: string;
  format: string;
  width: number;
  height: number;
  bytes: number;
  /** Milliseconds since the epoch. */
  createdAt: number;
  source: string;
  tags: WordScore[];
  [key: string]: unknown;
}

export interface ImageRecord extends ImagePayload {
  id: string;
}
