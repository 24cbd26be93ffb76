import { ImageDecoder, type DecoderLimits } from '../models/image-decoder.js';
import { ImageEncoder } from '../models/image-encoder.js';
import { sha256File } from '../models/model-files.js';
import { OnnxRuntime, type RuntimeOptions } from '../models/onnx-runtime.js';
import { augmentedSource, type Augmentation } from './augment.js';
import { encodeFiles, encodeSources, type StageProgress } from './encode-images.js';
import { FeatureCache } from './feature-cache.js';
import type { LabelledImage } from './labelled-images.js';

export interface FeatureOptions {
  encoderDir: string;
  /** Root of the feature cache (one sub-folder per encoder checksum). */
  cacheDir: string;
  runtime?: RuntimeOptions;
  decoderLimits?: DecoderLimits;
  batchSize?: number;
  onProgress?: StageProgress;
  /** Also encode these augmented views of every item (returned in `augmented`, same order as `items`). */
  augment?: readonly Augmentation[];
}

export interface DatasetFeatures {
  items: LabelledImage[];
  features: Float32Array[];
  encoder: { name: string; sha256: string; dimension: number };
  skipped: { path: string; reason: string }[];
  /** Per augmentation, one vector per returned item (undefined where the view failed). */
  augmented: Partial<Record<Augmentation, (Float32Array | undefined)[]>>;
}

export const DEFAULT_DECODER_LIMITS: DecoderLimits = {
  maxPixels: 40_000_000,
  maxSide: 12_000,
  maxPages: 500,
};

/** Encodes every item through the on-disk feature cache; items whose image fails to decode are dropped. */
export async function datasetFeatures(
  items: readonly LabelledImage[],
  options: FeatureOptions,
): Promise<DatasetFeatures> {
  const runtime = new OnnxRuntime(options.runtime ?? { provider: 'cpu', intraOpThreads: 0 });
  try {
    const encoder = await ImageEncoder.load(options.encoderDir, runtime);
    const sha256 =
      encoder.manifest.sha256 ?? (await sha256File(`${options.encoderDir}/${encoder.manifest.file}`));
    const cache = await FeatureCache.open(options.cacheDir, sha256, encoder.dimension);
    const skipped: DatasetFeatures['skipped'] = [];
    try {
      const vectors = await encodeFiles(
        items.map((i) => i.path),
        new ImageDecoder(options.decoderLimits ?? DEFAULT_DECODER_LIMITS),
        encoder,
        cache,
        {
          batchSize: options.batchSize ?? 16,
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
          onSkip: (file, error) =>
            skipped.push({ path: file, reason: error instanceof Error ? error.message : String(error) }),
        },
      );
      const kept = items.flatMap((item, i) => (vectors[i] ? [{ item, vector: vectors[i] }] : []));
      const augmented: DatasetFeatures['augmented'] = {};
      for (const kind of options.augment ?? []) {
        augmented[kind] = await encodeSources(
          kept.map((k) => augmentedSource(k.item.path, kind)),
          new ImageDecoder(options.decoderLimits ?? DEFAULT_DECODER_LIMITS),
          encoder,
          cache,
          {
            batchSize: options.batchSize ?? 16,
            onProgress: (_s, d, t) => options.onProgress?.(`encode-${kind}`, d, t),
          },
        );
      }
      return {
        augmented,
        items: kept.map((k) => k.item),
        features: kept.map((k) => k.vector),
        encoder: { name: encoder.manifest.name, sha256, dimension: encoder.dimension },
        skipped,
      };
    } finally {
      await cache.close();
    }
  } finally {
    await runtime.release();
  }
}
