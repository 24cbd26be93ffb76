import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { AppError, ErrorCode } from '../errors.js';
import type { Payload, Point, VectorStore } from '../store/vector-store.js';
import { IMAGES, imagesCollection } from './collections.js';

interface ExportLine {
  id: string;
  payload: Payload;
  vectors: Record<string, number[]>;
}

/**
 * Moves the images collection between stores (embedded ⇄ Qdrant) as JSON Lines: one point per line with
 * its vectors and payload. Image files stay in DATA_DIR; the vocabulary is re-imported from its source.
 */
export async function exportImages(
  store: VectorStore,
  file: string,
  onProgress?: (done: number) => void,
): Promise<number> {
  const out = createWriteStream(file, { encoding: 'utf8' });
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await store.scroll(IMAGES, { limit: 500, withVectors: true, ...(cursor ? { cursor } : {}) });
    for (const p of page.points) {
      const line: ExportLine = {
        id: p.id,
        payload: p.payload,
        vectors: Object.fromEntries(Object.entries(p.vectors ?? {}).map(([k, v]) => [k, Array.from(v)])),
      };
      if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
      count++;
    }
    onProgress?.(count);
    cursor = page.next;
  } while (cursor);
  out.end();
  await once(out, 'finish');
  return count;
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
  const flush = async () => {
    if (batch.length === 0) return;
    if (!ensured) {
      const first = batch[0]!;
      await store.ensureCollection(
        imagesCollection(first.vectors.semantic!.length, first.vectors.visual!.length),
      );
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
    let line: ExportLine;
    try {
      line = JSON.parse(text) as ExportLine;
    } catch (cause) {
      throw new AppError(ErrorCode.BAD_USER_INPUT, `${file}:${lineNo}: not JSON`, {}, { cause });
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
