/** Shared shapes for the word-vector readers. */

export interface WordVectorEntry {
  word: string;
  vector: Float32Array;
  /** 0-based position in the source file; these formats store words in descending frequency. */
  rank: number;
}

/** `done` and `total` are bytes for file readers; `total` is undefined when unknown. */
export type ProgressCallback = (done: number, total: number | undefined) => void;

export interface ReadOptions {
  onProgress?: ProgressCallback;
  /** Stop after this many entries (e.g. to read only the most frequent words). */
  limit?: number;
  /** Read chunk size in bytes. */
  chunkSize?: number;
}

/**
 * A one-pass stream of word vectors. `dimension` is known once the reader is open; `total` is the
 * word count when the file declares it.
 */
export interface WordVectorReader extends AsyncIterable<WordVectorEntry> {
  readonly format: string;
  readonly dimension: number;
  readonly total: number | undefined;
}
