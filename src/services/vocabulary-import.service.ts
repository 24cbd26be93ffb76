import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';
import { AppError, ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';
import type { Point, VectorStore } from '../store/vector-store.js';
import { labelFilter, loadWordNetNouns } from '../words/labels.js';
import { openWordVectors, type OpenedWordVectors } from '../words/open-word-vectors.js';
import { VOCABULARY, vocabularyCollection } from './collections.js';
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
}

/**
 * Imports the configured word vectors into the `vocabulary` collection when they are not there yet
 * (first start, `visem vocab import`), marking WordNet nouns among the most frequent words as labels.
 * Resumable: progress is recorded after every batch and a rerun continues from there; upserts by word
 * make replays harmless. A different source or settings start over.
 */
export async function ensureVocabulary(
  config: Config,
  store: VectorStore,
  expectedDimension: number,
  log: Logger,
  progress?: ProgressFn,
  force = false,
): Promise<VocabularyInfo> {
  const opened = await openWordVectors(config.WORD_VECTORS, {
    ...(config.VOCAB_LIMIT > 0 ? { limit: config.VOCAB_LIMIT } : {}),
    onProgress: (done, total) => progress?.('importing vocabulary', done, total ?? done),
  });
  const info: VocabularyInfo = {
    name: opened.name,
    ...(opened.outOfVocabulary ? { outOfVocabulary: opened.outOfVocabulary } : {}),
  };
  if (opened.reader.dimension !== expectedDimension) {
    throw new AppError(
      ErrorCode.MODEL_UNAVAILABLE,
      `word vectors ${opened.name} are ${opened.reader.dimension}-d but the head projects to ${expectedDimension}-d: ` +
        'train a head for these vectors (visem train) or configure matching WORD_VECTORS',
    );
  }
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
  const stored = await store.collectionInfo(VOCABULARY);
  if (same && previous.complete && !force && stored && stored.count > 0) {
    log.debug({ words: previous.imported }, 'vocabulary already imported');
    return info;
  }
  let state: ImportState =
    same && !force && stored ? previous : { ...wanted, imported: 0, labels: 0, complete: false };
  if (state.imported === 0 && stored) await store.dropCollection(VOCABULARY);
  await store.ensureCollection(vocabularyCollection(opened.reader.dimension));
  log.info({ source: opened.file, resumeAt: state.imported }, 'importing vocabulary');
  const started = performance.now();
  state = await importWords(opened, store, state, await loadWordNetNouns(), (s) => writeState(file, s));
  await writeState(file, { ...state, complete: true });
  log.info(
    { words: state.imported, labels: state.labels, seconds: (performance.now() - started) / 1000 },
    'vocabulary imported',
  );
  return info;
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
