import { readFile } from 'node:fs/promises';
import type { ImageDecoder } from '../models/image-decoder.js';
import type { ImageEncoder } from '../models/image-encoder.js';
import { sha256Hex, type FeatureCache } from './feature-cache.js';

export type StageProgress = (stage: string, done: number, total: number) => void;

export interface EncodeOptions {
  batchSize?: number;
  onProgress?: StageProgress;
  /** Called for files that cannot be read or decoded; they get no features. */
  onSkip?: (file: string, error: unknown) => void;
}

/**
 * Raw encoder features for image files, through the cache: a file whose content hash is cached is not
 * decoded again. Returns one vector per file (undefined where the file was skipped).
 */
export async function encodeFiles(
  files: readonly string[],
  decoder: ImageDecoder,
  encoder: ImageEncoder,
  cache: FeatureCache,
  options: EncodeOptions = {},
): Promise<(Float32Array | undefined)[]> {
  return encodeSources(
    files.map((file) => ({ name: file, read: () => readFile(file) })),
    decoder,
    encoder,
    cache,
    options,
  );
}

/** An image to encode: a display name and a way to get its bytes (a file, or an augmented copy). */
export interface ImageSource {
  name: string;
  read(): Promise<Buffer>;
}

/** Like encodeFiles, over arbitrary byte sources; the cache key is the bytes' sha256. */
export async function encodeSources(
  sources: readonly ImageSource[],
  decoder: ImageDecoder,
  encoder: ImageEncoder,
  cache: FeatureCache,
  options: EncodeOptions = {},
): Promise<(Float32Array | undefined)[]> {
  const files = sources.map((s) => s.name);
  const batchSize = options.batchSize ?? 16;
  const shas: (string | undefined)[] = new Array<string | undefined>(files.length);
  const pending: { index: number; sha: string; bytes: Buffer }[] = [];
  let done = 0;
  const flush = async () => {
    const batch = pending.splice(0, pending.length);
    const tensors: Float32Array[] = [];
    const ok: typeof batch = [];
    for (const p of batch) {
      try {
        tensors.push(await decoder.toTensor(p.bytes, encoder.manifest.input));
        ok.push(p);
      } catch (e) {
        shas[p.index] = undefined;
        options.onSkip?.(files[p.index]!, e);
      }
    }
    const vectors = await encoder.encode(tensors);
    await cache.putMany(ok.map((p, i) => ({ sha: p.sha, vector: vectors[i]! })));
    done += batch.length;
    options.onProgress?.('encode', done, files.length);
  };
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    let bytes: Buffer;
    try {
      bytes = await sources[i]!.read();
    } catch (e) {
      options.onSkip?.(file, e);
      done++;
      continue;
    }
    const sha = sha256Hex(bytes);
    shas[i] = sha;
    if (cache.has(sha) || pending.some((p) => p.sha === sha)) {
      done++;
      continue;
    }
    pending.push({ index: i, sha, bytes });
    if (pending.length >= batchSize) await flush();
  }
  if (pending.length > 0) await flush();
  options.onProgress?.('encode', files.length, files.length);
  return shas.map((sha) => (sha ? cache.get(sha) : undefined));
}
