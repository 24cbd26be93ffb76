import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { AppError, ErrorCode } from '../errors.js';
import { scrollPages, type Payload, type Point, type VectorStore } from '../store/vector-store.js';
import { IMAGES, imagesCollection } from './collections.js';
import {
  identityDifferences,
  mismatchError,
  recordedEntry,
  recordedIdentity,
  unknownMetadata,
  type ImagesIdentity,
} from './model-identity.js';

interface ExportLine {
  id: string;
  payload: Payload;
  vectors: Record<string, number[]>;
}

/** First line of an export: the collection's recorded models. Files from before it have none. */
interface ExportHeader {
  metadata: Payload;
}

/**
 * Moves the images collection between stores (embedded ⇄ Qdrant) as JSON Lines: a header with the
 * models that wrote it, then one point per line with its vectors and payload. Image files stay in
 * DATA_DIR; the vocabulary is re-imported from its source.
 */
export async function exportImages(
  store: VectorStore,
  file: string,
  onProgress?: (done: number) => void,
): Promise<number> {
  const out = createWriteStream(file, { encoding: 'utf8' });
  const info = await store.collectionInfo(IMAGES);
  const header: ExportHeader = { metadata: recordedEntry(info?.metadata ?? {}) };
  out.write(`${JSON.stringify(header)}\n`);
  let count = 0;
  for await (const page of scrollPages(store, IMAGES, { limit: 500, withVectors: true })) {
    for (const p of page) {
      const line: ExportLine = {
        id: p.id,
        payload: p.payload,
        vectors: Object.fromEntries(Object.entries(p.vectors ?? {}).map(([k, v]) => [k, Array.from(v)])),
      };
      if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
      count++;
    }
    onProgress?.(count);
  }
  out.end();
  await once(out, 'finish');
  return count;
}

/**
 * Into an empty or new images collection, the file's recorded models come along (none for a file from
 * before them: the store then asks for `visem reindex`); into one holding images, only a file written by
 * the same models (STORE_MODEL_MISMATCH otherwise), so a collection never mixes vectors of two models.
 */
async function prepareTarget(
  store: VectorStore,
  first: Point,
  header: ExportHeader | undefined,
): Promise<void> {
  const metadata = header ? recordedEntry(header.metadata) : unknownMetadata();
  const info = await store.collectionInfo(IMAGES);
  const spec = imagesCollection(first.vectors.semantic!.length, first.vectors.visual!.length);
  if (info && info.count > 0) {
    const stored = recordedIdentity(info.metadata);
    const incoming = recordedIdentity(metadata);
    const differences =
      stored === undefined || incoming === undefined
        ? ['the models of the store or of the file are not recorded']
        : identityDifferences(stored, incoming as ImagesIdentity);
    if (differences.length > 0) {
      throw mismatchError(IMAGES, 'holds images of other models than the imported file', differences);
    }
    return store.ensureCollection(spec);
  }
  // Empty: nothing to keep, whatever sizes it was made with.
  if (info && JSON.stringify(info.vectors) !== JSON.stringify(spec.vectors))
    await store.dropCollection(IMAGES);
  await store.ensureCollection({ ...spec, metadata });
  await store.updateCollectionMetadata(IMAGES, metadata);
}

/** Idempotent: points are upserted by id, so an interrupted import can simply be run again. */
export async function importImages(
  store: VectorStore,
  file: string,
  onProgress?: (done: number) => void,
): Promise<number> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let batch: Point[] = [];
  let count = 0;
  let ensured = false;
  let header: ExportHeader | undefined;
  const flush = async () => {
    if (batch.length === 0) return;
    if (!ensured) {
      await prepareTarget(store, batch[0]!, header);
      ensured = true;
    }
    await store.upsert(IMAGES, batch);
    count += batch.length;
    batch = [];
    onProgress?.(count);
  };
  let lineNo = 0;
  for await (const text of lines) {
    lineNo++;
    if (!text.trim()) continue;
    let line: ExportLine | ExportHeader;
    try {
      line = JSON.parse(text) as ExportLine | ExportHeader;
    } catch (cause) {
      throw new AppError(ErrorCode.BAD_USER_INPUT, `${file}:${lineNo}: not JSON`, {}, { cause });
    }
    if (!('id' in line)) {
      if (count > 0 || batch.length > 0 || header || typeof line.metadata !== 'object' || !line.metadata) {
        throw new AppError(ErrorCode.BAD_USER_INPUT, `${file}:${lineNo}: a point needs an id`);
      }
      header = line;
      continue;
    }
    if (!line.vectors?.semantic || !line.vectors.visual) {
      throw new AppError(ErrorCode.BAD_USER_INPUT, `${file}:${lineNo}: missing semantic or visual vector`);
    }
    batch.push({
      id: line.id,
      payload: line.payload,
      vectors: Object.fromEntries(Object.entries(line.vectors).map(([k, v]) => [k, Float32Array.from(v)])),
    });
    if (batch.length >= 256) await flush();
  }
  await flush();
  return count;
}
