import { encoderManifestSchema, readManifest, type EncoderManifest } from './manifest.js';
import { verifiedModelPath } from './model-files.js';
import { runRows, type LoadedSession, type OnnxRuntime } from './onnx-runtime.js';

/** A pretrained CNN cut at a pooled layer: model input tensors → visual feature vectors. */
export class ImageEncoder {
  private constructor(
    readonly manifest: EncoderManifest,
    private readonly loaded: LoadedSession,
  ) {}

  static async load(dir: string, runtime: OnnxRuntime): Promise<ImageEncoder> {
    const manifest = await readManifest(dir, encoderManifestSchema);
    const file = await verifiedModelPath(dir, manifest.file, manifest.sha256, `visem models build --force`);
    return new ImageEncoder(manifest, await runtime.load(file));
  }

  get dimension(): number {
    return this.manifest.output.dimension;
  }

  get provider(): string {
    return this.loaded.provider;
  }

  /** One batched run over prepared tensors (each H×W×3 in the manifest's layout): pooled features. */
  encode(tensors: readonly Float32Array[]): Promise<Float32Array[]> {
    return this.run(tensors, this.manifest.output.name);
  }

  /** The classifier's logits (ImageNet-1k for EfficientNet), for encoders whose manifest declares them. */
  logits(tensors: readonly Float32Array[]): Promise<Float32Array[]> {
    if (!this.manifest.logits) throw new Error(`encoder ${this.manifest.name} has no classifier output`);
    return this.run(tensors, this.manifest.logits.name);
  }

  private async run(tensors: readonly Float32Array[], output: string): Promise<Float32Array[]> {
    if (tensors.length === 0) return [];
    const { width, height, layout, name } = this.manifest.input;
    const size = width * height * 3;
    // A single tensor goes in as it is; a batch is packed into one buffer.
    const flat = tensors.length === 1 ? tensors[0]! : new Float32Array(size * tensors.length);
    if (tensors.length > 1) tensors.forEach((t, i) => flat.set(t, i * size));
    const dims = layout === 'NHWC' ? [tensors.length, height, width, 3] : [tensors.length, 3, height, width];
    return runRows(this.loaded, name, output, flat, dims);
  }
}
