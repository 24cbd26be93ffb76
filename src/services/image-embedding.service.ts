import { createHash } from 'node:crypto';
import type { ImageDecoder, ImageInfo } from '../models/image-decoder.js';
import type { ImageEncoder } from '../models/image-encoder.js';
import type { ProjectionHead } from '../models/projection-head.js';
import { normalizeInPlace } from '../vectors.js';
import { InferenceQueue } from './inference-queue.js';

export interface EmbeddedImage {
  /** sha256 of the uploaded bytes: the image's id. */
  id: string;
  info: ImageInfo;
  /** Encoder features centred on their training mean where the encoder has that output (L2-normalised): image→image similarity. */
  visual: Float32Array;
  /** Head output in word-vector space (L2-normalised): tags and text search. */
  semantic: Float32Array;
  /** The encoder's raw pooled features (the head's input), not normalised. */
  features: Float32Array;
}

export interface EmbeddingOptions {
  concurrency: number;
  batchSize: number;
  capacity: number;
}

export function contentHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** bytes → decode (sharp) → encoder → head, through one bounded, batching inference queue. */
export class ImageEmbeddingService {
  /** Observes each model batch (size, seconds), for metrics. */
  onBatch: ((size: number, seconds: number) => void) | undefined;
  private readonly queue: InferenceQueue<Float32Array, Omit<EmbeddedImage, 'id' | 'info'>>;

  constructor(
    private readonly decoder: ImageDecoder,
    readonly encoder: ImageEncoder,
    readonly head: ProjectionHead,
    options: EmbeddingOptions,
  ) {
    this.queue = new InferenceQueue({
      concurrency: options.concurrency,
      batchSize: options.batchSize,
      capacity: options.capacity,
      run: async (tensors) => {
        const started = performance.now();
        const encoded = await encoder.embed(tensors);
        const semantic = await head.project(encoded.map((e) => e.features));
        this.onBatch?.(tensors.length, (performance.now() - started) / 1000);
        return encoded.map((e, i) => ({
          visual: normalizeInPlace(new Float32Array(e.visual)),
          semantic: semantic[i]!,
          features: e.features,
        }));
      },
    });
  }

  get load() {
    return this.queue.load;
  }

  async embed(bytes: Uint8Array): Promise<EmbeddedImage> {
    const { prepared, output } = await this.queue.admit(
      () => this.decoder.prepare(bytes, this.encoder.manifest.input),
      (p) => p.tensor,
    );
    return { id: contentHash(bytes), info: prepared.info, ...output };
  }

  /** Only the header check, for callers that must refuse bad input before doing anything else. */
  inspect(bytes: Uint8Array): Promise<ImageInfo> {
    return this.decoder.inspect(bytes);
  }

  drain(): Promise<void> {
    return this.queue.drain();
  }
}
