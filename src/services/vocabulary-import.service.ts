import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';
import { AppError, ErrorCode, isAppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Point, VectorStore } from '../store/vector-store.js';
import { labelFilter, loadWordNetNouns } from '../words/labels.js';
import { openWordVectors, type OpenedWordVectors } from '../words/open-word-vectors.js';
import { VOCABULARY, vocabularyCollection } from './collections.js';
import {
  checkIdentity,
  identityMetadata,
  pendingMetadata,
  type IdentityStatus,
  type VocabularyIdentity,
  type WordVectorsRef,
} from './model-identity.js';
import type { ProgressFn } from './models.service.js';

/** What was imported, kept in DATA_DIR so restarts are fast and interrupted imports resume. */
interface ImportState {
  name: string;
  fingerprint: string;
  store: string;
  dimension: number;
  labelsTopN: number;
  limit: number;
  imported: number;
  labels: number;
  complete: boolean;
}

const BATCH = 2000;

function stateFile(config: Config): string {
  return path.join(config.dataDir, 'vocabulary-import.json');
}

async function readState(file: string): Promise<ImportState | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as ImportState;
  } catch {
    return undefined;
  }
}

async function writeState(file: string, state: ImportState): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, JSON.stringify(state, null, 2));
  await rename(temp, file);
}

export interface VocabularyInfo {
  name: string;
  outOfVocabulary?: (word: string) => Float32Array | undefined;
  /** What the vocabulary collection was imported from (its recorded identity). */
  wordVectors: WordVectorsRef;
  /** Whether this call imported (or finished importing) words. */
  imported: boolean;
}

/** The configured word vectors, opened, with the identity the vocabulary collection records. */
export interface VocabularySource {
  opened: OpenedWordVectors;
  identity: WordVectorsRef;
  /** Bytes of the file read so far (progress of formats with no word count). */
  bytesRead: () => { done: number; total: number };
}

/** Opens the configured word vectors; nothing is reported until words are imported. */
export async function openVocabularySource(config: Config): Promise<VocabularySource> {
  const position = { done: 0, total: 0 };
  const opened = await openWordVectors(config.WORD_VECTORS, {
    ...(config.VOCAB_LIMIT > 0 ? { limit: config.VOCAB_LIMIT } : {}),
    onProgress: (done, total) => Object.assign(position, { done, total: total ?? done }),
  });
  const { size } = await stat(opened.file);
  return {
    opened,
    bytesRead: () => position,
    identity: {
      name: opened.name,
      dimension: opened.reader.dimension,
      bytes: size,
      words: opened.reader.total ?? null,
    },
  };
}

export interface EnsureVocabularyOptions {
  /** Import again from the start. */
  force?: boolean;
  /**
   * A vocabulary written from other word vectors (or by a visem that recorded none): `refuse` with
   * STORE_MODEL_MISMATCH (servers, `vocab import`), or `reimport` it (`visem reindex`).
   */
  onMismatch?: 'refuse' | 'reimport';
  /** Already opened (the caller needed its identity first). */
  source?: VocabularySource;
}

/**
 * Imports the configured word vectors into the `vocabulary` collection when they are not there yet
 * (first start, `visem vocab import`), marking WordNet nouns among the most frequent words as labels.
 * Resumable: progress is recorded after every batch and a rerun continues from there; upserts by word
 * make replays harmless. A different source or settings start over. The collection records the word
 * vectors as pending while it fills and as its identity once complete (see model-identity.ts).
 */
export async function ensureVocabulary(
  config: Config,
  store: VectorStore,
  expectedDimension: number,
  log: Logger,
  progress?: ProgressFn,
  options: EnsureVocabularyOptions = {},
): Promise<VocabularyInfo> {
  const source = options.source ?? (await openVocabularySource(config));
  const { opened } = source;
  const info = {
    name: opened.name,
    wordVectors: source.identity,
    ...(opened.outOfVocabulary ? { outOfVocabulary: opened.outOfVocabulary } : {}),
  };
  if (opened.reader.dimension !== expectedDimension) {
    throw new AppError(
      ErrorCode.MODEL_UNAVAILABLE,
      `word vectors ${opened.name} are ${opened.reader.dimension}-d but the head projects to ${expectedDimension}-d: ` +
        'train a head for these vectors (visem train) or configure matching WORD_VECTORS',
    );
  }
  const identity: VocabularyIdentity = { wordVectors: source.identity };
  const stored = await store.collectionInfo(VOCABULARY);
  let status: IdentityStatus;
  try {
    status = checkIdentity(VOCABULARY, stored, identity);
  } catch (e) {
    if (options.onMismatch !== 'reimport' || !isAppError(e) || e.code !== ErrorCode.STORE_MODEL_MISMATCH)
      throw e;
    log.info({ reason: e.message }, 'vocabulary written from other word vectors: importing again');
    status = 'absent';
  }
  const force = options.force === true;
  const file = stateFile(config);
  const wanted = {
    name: opened.name,
    fingerprint: opened.fingerprint,
    store: config.QDRANT_URL ?? 'embedded',
    dimension: opened.reader.dimension,
    labelsTopN: config.LABELS_TOP_N,
    limit: config.VOCAB_LIMIT,
  };
  const previous = await readState(file);
  const same = previous && Object.entries(wanted).every(([k, v]) => previous[k as keyof ImportState] === v);
  if (same && status === 'current' && !force) {
    log.debug({ words: previous.imported }, 'vocabulary already imported');
    return { ...info, imported: false };
  }
  const resume = same && !force && status === 'pending';
  let state: ImportState = resume ? previous : { ...wanted, imported: 0, labels: 0, complete: false };
  if (!resume || state.imported === 0) {
    if (stored) await store.dropCollection(VOCABULARY);
    await store.ensureCollection({
      ...vocabularyCollection(opened.reader.dimension),
      metadata: pendingMetadata(identity),
    });
  }
  log.info({ source: opened.file, resumeAt: state.imported }, 'importing vocabulary');
  const started = performance.now();
  const report = importProgress(source, config.VOCAB_LIMIT, progress);
  state = await importWords(opened, store, state, await loadWordNetNouns(), (s) => {
    report(s.imported);
    return writeState(file, s);
  });
  // The collection says it is complete before the local state does: a crash in between re-imports.
  await store.updateCollectionMetadata(VOCABULARY, identityMetadata(identity));
  await writeState(file, { ...state, complete: true });
  log.info(
    { words: state.imported, labels: state.labels, seconds: (performance.now() - started) / 1000 },
    'vocabulary imported',
  );
  return { ...info, imported: true };
}

/** Progress in words when the file says how many it holds, else in MiB read. */
function importProgress(
  source: VocabularySource,
  limit: number,
  progress: ProgressFn | undefined,
): (words: number) => void {
  const inFile = source.opened.reader.total;
  const total = inFile !== undefined && limit > 0 ? Math.min(inFile, limit) : inFile;
  return (words) => {
    if (!progress) return;
    if (total !== undefined) return progress('importing words', words, total);
    const { done, total: bytes } = source.bytesRead();
    const mib = (n: number) => Math.round(n / 2 ** 20);
    progress('importing words (MiB read)', mib(done), mib(bytes));
  };
}

async function importWords(
  opened: OpenedWordVectors,
  store: VectorStore,
  initial: ImportState,
  nouns: Set<string>,
  checkpoint: (state: ImportState) => Promise<void>,
): Promise<ImportState> {
  const state = { ...initial };
  const isLabel = labelFilter(nouns, { topN: state.labelsTopN });
  let batch: Point[] = [];
  let batchLabels = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await store.upsert(VOCABULARY, batch);
    state.imported += batch.length;
    state.labels += batchLabels;
    batch = [];
    batchLabels = 0;
    await checkpoint(state);
  };
  let rank = 0;
  for await (const entry of opened.reader) {
    const label = isLabel(entry.word, entry.rank);
    // Entries before the resume point are re-read (the formats are sequential) but not re-written.
    if (rank++ < state.imported) continue;
    if (label) batchLabels++;
    batch.push({ id: entry.word, vectors: { semantic: entry.vector }, payload: { rank: entry.rank, label } });
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  return state;
}
