import path from 'node:path';
import { AppError, ErrorCode } from '../errors.js';
import { sha256File } from '../models/model-files.js';
import type { CollectionInfo, JsonValue, Payload } from '../store/vector-store.js';

/**
 * Which models wrote a collection's vectors, kept in the collection's metadata (every process that opens
 * the store sees it, on both backends) under the key `visem`:
 *
 * - `{ identity }`: every point was written by these models (and the collection is complete);
 * - `{ pending }`: being filled by these models (a vocabulary import or a reindex in progress, or
 *   interrupted); only the run that fills it, or its rerun, may use it.
 *
 * The images collection depends on the encoder and the head, and on the word vectors its stored tags
 * were computed from; the vocabulary collection on the word vectors.
 */

export interface ModelRef {
  name: string;
  /** sha256 of the ONNX file. */
  sha256: string;
  /** Output dimension. */
  dimension: number;
}

export interface WordVectorsRef {
  /** WORD_VECTORS' name: the built-in name or the file's base name (what head manifests record). */
  name: string;
  dimension: number;
  /** The file's size: cheap, and unchanged by copying (unlike its mtime). */
  bytes: number;
  /** Word count the file declares (fastText/word2vec header, wink JSON); null when it declares none. */
  words: number | null;
}

export interface ImagesIdentity {
  encoder: ModelRef;
  head: ModelRef;
  /** The word vectors the stored tags were computed against. */
  wordVectors: WordVectorsRef;
}

export interface VocabularyIdentity {
  wordVectors: WordVectorsRef;
}

export type CollectionIdentity = ImagesIdentity | VocabularyIdentity;

const KEY = 'visem';

/** The models that wrote stores before identities were recorded (visem ≤ 0.1 defaults). */
export const LEGACY_MODELS = {
  encoder: 'inception-v3-mixed6',
  head: 'head-default',
  wordVectors: 'glove-wink-100d',
} as const;

interface Recorded {
  identity?: Record<string, JsonValue>;
  pending?: Record<string, JsonValue>;
}

function recorded(metadata: Payload): Recorded | undefined {
  const v = metadata[KEY];
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const r = v as Recorded;
  return r.identity || r.pending ? r : undefined;
}

/** Metadata patch: the collection is complete and was written by `identity`. */
export function identityMetadata(identity: CollectionIdentity): Payload {
  return { [KEY]: { identity: identity as unknown as JsonValue } };
}

/** Metadata patch: the collection is being filled by `identity`. */
export function pendingMetadata(identity: CollectionIdentity): Payload {
  return { [KEY]: { pending: identity as unknown as JsonValue } };
}

/** Metadata patch for points whose models are unknown (an export from before identities): legacy. */
export function unknownMetadata(): Payload {
  return { [KEY]: null };
}

/** The `visem` entry of a collection's metadata, to carry it elsewhere (export files). */
export function recordedEntry(metadata: Payload): Payload {
  return { [KEY]: metadata[KEY] ?? null };
}

/** JSON with sorted keys, so equal identities compare equal whatever order their keys were written in. */
function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v ?? null);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
    .join(',')}}`;
}

export function sameIdentity(a: unknown, b: unknown): boolean {
  return a !== undefined && b !== undefined && canonical(a) === canonical(b);
}

/** The identity a collection's metadata records as complete, if any. */
export function recordedIdentity(metadata: Payload): unknown {
  return recorded(metadata)?.identity;
}

/** The identity a collection's metadata records as being filled, if any. */
export function pendingIdentity(metadata: Payload): unknown {
  return recorded(metadata)?.pending;
}

const LABELS: Record<string, string> = { encoder: 'encoder', head: 'head', wordVectors: 'word vectors' };

function describeRef(v: unknown): string {
  const r = (v ?? {}) as Partial<ModelRef & WordVectorsRef>;
  const parts = [`${r.dimension ?? '?'}-d`];
  if (typeof r.sha256 === 'string') parts.push(`sha256 ${r.sha256.slice(0, 12)}`);
  if (r.words !== undefined) parts.push(r.words === null ? 'word count not declared' : `${r.words} words`);
  if (r.bytes !== undefined) parts.push(`${r.bytes} bytes`);
  return `${r.name ?? 'unknown'} (${parts.join(', ')})`;
}

/** "head: stored head-a (100-d, sha256 …), loaded head-b (100-d, sha256 …)" for each part that differs. */
export function identityDifferences(stored: unknown, loaded: CollectionIdentity): string[] {
  const s = (stored ?? {}) as Record<string, unknown>;
  const l = loaded as unknown as Record<string, unknown>;
  return Object.keys(l)
    .filter((k) => canonical(s[k]) !== canonical(l[k]))
    .map((k) => `${LABELS[k] ?? k}: stored ${describeRef(s[k])}, loaded ${describeRef(l[k])}`);
}

/** What a collection is, against the models loaded now. */
export type IdentityStatus =
  /** Missing or empty: create it (or record the identity) freely. */
  | 'absent'
  /** Complete, written by these models. */
  | 'current'
  /** Being filled by these models: the run filling it (or a rerun) continues. */
  | 'pending';

const REINDEX_HINT =
  'Run `visem reindex` to re-embed the stored images (and re-import the vocabulary when the word vectors ' +
  'changed) with the loaded models, or configure the models that wrote it.';

export function mismatchError(
  collection: string,
  what: string,
  differences: string[],
  details: Record<string, unknown> = {},
): AppError {
  return new AppError(
    ErrorCode.STORE_MODEL_MISMATCH,
    `the ${collection} collection ${what}:\n  - ${differences.join('\n  - ')}\n${REINDEX_HINT}`,
    { collection, differences, ...details },
  );
}

/**
 * Throws STORE_MODEL_MISMATCH, naming what differs, when the collection holds vectors of other models, is
 * being filled by other models, or holds data but records no models (written by a visem before model
 * identities: taken to be written by LEGACY_MODELS, never adopted silently).
 */
export function checkIdentity(
  collection: string,
  info: CollectionInfo | undefined,
  loaded: CollectionIdentity,
): IdentityStatus {
  if (!info) return 'absent';
  const identity = recordedIdentity(info.metadata);
  const pending = pendingIdentity(info.metadata);
  if (identity !== undefined && sameIdentity(identity, loaded)) return 'current';
  if (identity === undefined && pending !== undefined && sameIdentity(pending, loaded)) return 'pending';
  if (info.count === 0) return 'absent';
  if (identity !== undefined) {
    return fail(
      mismatchError(collection, 'was written by other models', identityDifferences(identity, loaded)),
    );
  }
  if (pending !== undefined) {
    return fail(
      mismatchError(
        collection,
        'is being filled by other models (an import or reindex is running or was interrupted)',
        identityDifferences(pending, loaded),
      ),
    );
  }
  const parts = Object.keys(loaded) as (keyof typeof LEGACY_MODELS)[];
  return fail(
    mismatchError(
      collection,
      `holds ${info.count} points but records no models: it was written by a visem older than model ` +
        `identities, taken to be the previous defaults`,
      parts.map(
        (k) =>
          `${LABELS[k]}: stored ${LEGACY_MODELS[k]} (assumed), loaded ${describeRef((loaded as unknown as Record<string, unknown>)[k])}`,
      ),
      { legacy: true },
    ),
  );
}

function fail(e: AppError): never {
  throw e;
}

/** A model's reference: the manifest's checksum when it records one, else the file's own. */
export async function modelRef(
  dir: string,
  manifest: { name: string; file: string; sha256?: string | undefined; output: { dimension: number } },
): Promise<ModelRef> {
  return {
    name: manifest.name,
    sha256: manifest.sha256 ?? (await sha256File(path.join(dir, manifest.file))),
    dimension: manifest.output.dimension,
  };
}
