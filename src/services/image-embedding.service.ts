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

/** An upload whose header passed the decoder's checks, with its content id: both computed once. */
export interface CheckedImage {
  bytes: Uint8Array;
  /** sha256 of the bytes. */
  id: string;
  info: ImageInfo;
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

  /** Checks (see check) unless already checked, decodes and embeds, within the queue's capacity. */
  async embed(image: Uint8Array | CheckedImage): Promise<EmbeddedImage> {
    const { prepared, output } = await this.queue.admit(
      async () => {
        const checked = image instanceof Uint8Array ? await this.check(image) : image;
        return { checked, tensor: await this.decoder.toTensor(checked.bytes, this.encoder.manifest.input) };
      },
      (p) => p.tensor,
    );
    return { id: prepared.checked.id, info: prepared.checked.info, ...output };
  }

  /** The header check and content id, for callers that must refuse bad input before anything else. */
  async check(bytes: Uint8Array): Promise<CheckedImage> {
    const info = await this.decoder.inspect(bytes);
    return { bytes, id: contentHash(bytes), info };
  }

  drain(): Promise<void> {
    return this.queue.drain();
  }
}
