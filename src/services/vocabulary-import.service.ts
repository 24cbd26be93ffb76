import { stat } from 'node:fs/promises';
import type { Config } from '../config.js';
import { AppError, ErrorCode, isAppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { CollectionInfo, Payload, Point, VectorStore } from '../store/vector-store.js';
import { labelFilter, loadWordNetNouns } from '../words/labels.js';
import { openWordVectors, type OpenedWordVectors } from '../words/open-word-vectors.js';
import { VOCABULARY, vocabularyCollection } from './collections.js';
import {
  checkIdentity,
  identityMetadata,
  pendingIdentity,
  pendingMetadata,
  recordedIdentity,
  sameIdentity,
  type IdentityStatus,
  type VocabularyIdentity,
  type WordVectorsRef,
} from './model-identity.js';
import type { ProgressFn } from './models.service.js';
import {
  acquireOrWait,
  DEFAULT_LEASE_TIMING,
  readImportRecord,
  sameSettings,
  type HeldLease,
  type ImportRecord,
  type ImportSettings,
  type ImportState,
  type LeaseTiming,
} from './vocabulary-lease.js';

const BATCH = 2000;

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
  /** The import lease's timing (tests shorten it). */
  leaseTiming?: LeaseTiming;
}

/**
 * Imports the configured word vectors into the `vocabulary` collection when they are not there yet
 * (first start, `visem vocab import`), marking WordNet nouns among the most frequent words as labels.
 *
 * Every process sharing the store sees the same state, kept in the collection's metadata: the identity
 * once complete (model-identity.ts) and the import's settings and progress (vocabulary-lease.ts). One
 * process imports at a time under a lease; others wait for it, and take over from the recorded progress
 * if it stops beating. Upserts by word make replayed batches harmless. Only the lease holder ever drops
 * the collection, and only when asked to import again (`force`, `reimport`) or when the settings changed.
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
  checkDimension(opened, expectedDimension);
  const identity: VocabularyIdentity = { wordVectors: source.identity };
  const settings: ImportSettings = {
    fingerprint: opened.fingerprint,
    labelsTopN: config.LABELS_TOP_N,
    limit: config.VOCAB_LIMIT,
  };
  const stored = await store.collectionInfo(VOCABULARY);
  const status = identityStatus(stored, identity, options.onMismatch, log);
  let replace = options.force === true || status === 'replace';
  if (status === 'current' && !replace) {
    const record = readImportRecord(stored!.metadata);
    // A vocabulary imported before the store recorded its settings is taken as it is.
    if (!record || sameSettings(record, settings)) {
      log.debug({ words: stored!.count }, 'vocabulary already imported');
      return { ...info, imported: false };
    }
    log.info(
      'vocabulary imported with other settings (word file, LABELS_TOP_N or VOCAB_LIMIT): importing again',
    );
    replace = true;
  }
  // Race-safe on both backends: concurrent first starts end up with one collection, where the lease lives.
  if (!stored) {
    await store.ensureCollection({
      ...vocabularyCollection(opened.reader.dimension),
      metadata: pendingMetadata(identity),
    });
  }
  const complete = (metadata: Payload) => !replace && isComplete(metadata, identity, settings);
  const outcome = await acquireOrWait(store, options.leaseTiming ?? DEFAULT_LEASE_TIMING, complete, (r) =>
    progress?.(
      'waiting for another process importing the vocabulary (words)',
      r.imported,
      Math.max(r.imported, r.limit || (opened.reader.total ?? r.imported)),
    ),
  );
  if (outcome.kind === 'complete') {
    log.info('vocabulary imported by another process');
    return { ...info, imported: false };
  }
  await importUnderLease(config, store, source, identity, settings, outcome.lease, replace, log, progress);
  return { ...info, imported: true };
}

function checkDimension(opened: OpenedWordVectors, expected: number): void {
  if (opened.reader.dimension === expected) return;
  throw new AppError(
    ErrorCode.MODEL_UNAVAILABLE,
    `word vectors ${opened.name} are ${opened.reader.dimension}-d but the head projects to ${expected}-d: ` +
      'train a head for these vectors (visem train) or configure matching WORD_VECTORS',
  );
}

/** The identity check, with `replace` for a mismatch that `visem reindex` imports again. */
function identityStatus(
  stored: CollectionInfo | undefined,
  identity: VocabularyIdentity,
  onMismatch: EnsureVocabularyOptions['onMismatch'],
  log: Logger,
): IdentityStatus | 'replace' {
  try {
    return checkIdentity(VOCABULARY, stored, identity);
  } catch (e) {
    if (onMismatch !== 'reimport' || !isAppError(e) || e.code !== ErrorCode.STORE_MODEL_MISMATCH) throw e;
    log.info({ reason: e.message }, 'vocabulary written from other word vectors: importing again');
    return 'replace';
  }
}

function isComplete(metadata: Payload, identity: VocabularyIdentity, settings: ImportSettings): boolean {
  const record = readImportRecord(metadata);
  return sameIdentity(recordedIdentity(metadata), identity) && (!record || sameSettings(record, settings));
}

/** Whether the collection holds a partial import of exactly these words and settings, to continue. */
function resumable(
  metadata: Payload,
  identity: VocabularyIdentity,
  settings: ImportSettings,
): ImportRecord | undefined {
  const record = readImportRecord(metadata);
  if (!record || !sameSettings(record, settings)) return undefined;
  if (!sameIdentity(pendingIdentity(metadata), identity)) return undefined;
  return record;
}

async function importUnderLease(
  config: Config,
  store: VectorStore,
  source: VocabularySource,
  identity: VocabularyIdentity,
  settings: ImportSettings,
  lease: HeldLease,
  replace: boolean,
  log: Logger,
  progress: ProgressFn | undefined,
): Promise<void> {
  let state: ImportState = { ...settings, imported: 0, labels: 0 };
  try {
    const stored = await store.collectionInfo(VOCABULARY);
    const resume = replace ? undefined : resumable(stored?.metadata ?? {}, identity, settings);
    if (resume) {
      state = { ...settings, imported: resume.imported, labels: resume.labels };
    } else if (
      (stored?.count ?? 0) > 0 ||
      stored?.vectors.semantic?.size !== source.opened.reader.dimension
    ) {
      // Only the lease holder drops; the new collection carries the claim from its first moment.
      await store.dropCollection(VOCABULARY);
      await store.ensureCollection({
        ...vocabularyCollection(source.opened.reader.dimension),
        metadata: { ...pendingMetadata(identity), ...lease.metadata(state) },
      });
    } else {
      await store.updateCollectionMetadata(VOCABULARY, {
        ...pendingMetadata(identity),
        ...lease.metadata(state),
      });
    }
    log.info({ source: source.opened.file, resumeAt: state.imported }, 'importing vocabulary');
    const started = performance.now();
    const report = importProgress(source, config.VOCAB_LIMIT, progress);
    state = await importWords(source.opened, store, state, await loadWordNetNouns(), (s) => {
      report(s.imported);
      return lease.save(s);
    });
    await lease.release(state, identityMetadata(identity));
    log.info(
      { words: state.imported, labels: state.labels, seconds: (performance.now() - started) / 1000 },
      'vocabulary imported',
    );
  } catch (e) {
    // Hand the lease back at once when the store still answers; otherwise it expires.
    await lease.release(state).catch(() => lease.abandon());
    throw e;
  }
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
