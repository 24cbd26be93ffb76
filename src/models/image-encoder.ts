import { encoderManifestSchema, readManifest, type EncoderManifest } from './manifest.js';
import { verifiedModelPath } from './model-files.js';
import { runOutputs, type LoadedSession, type OnnxRuntime } from './onnx-runtime.js';

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

  /** Why `ORT_PROVIDER=auto` runs on CPU, when it does. */
  get cpuReason(): string | undefined {
    return this.loaded.cpuReason;
  }

  /** One batched run over prepared tensors (each H×W×3 in the manifest's layout): pooled features. */
  async encode(tensors: readonly Float32Array[]): Promise<Float32Array[]> {
    return (await this.run(tensors, [this.manifest.output.name]))[0]!;
  }

  /**
   * One run, both vectors: the pooled features (the head's input) and the visual vector for image→image
   * similarity (the centred output when the manifest declares one, else the features). Not normalised.
   */
  async embed(tensors: readonly Float32Array[]): Promise<{ features: Float32Array; visual: Float32Array }[]> {
    const names = [this.manifest.output.name, ...(this.manifest.visual ? [this.manifest.visual.name] : [])];
    const [features = [], visual = features] = await this.run(tensors, names);
    return features.map((f, i) => ({ features: f, visual: visual[i]! }));
  }

  /** The classifier's logits (ImageNet-1k for EfficientNet), for encoders whose manifest declares them. */
  async logits(tensors: readonly Float32Array[]): Promise<Float32Array[]> {
    if (!this.manifest.logits) throw new Error(`encoder ${this.manifest.name} has no classifier output`);
    return (await this.run(tensors, [this.manifest.logits.name]))[0]!;
  }

  private async run(tensors: readonly Float32Array[], outputs: readonly string[]): Promise<Float32Array[][]> {
    if (tensors.length === 0) return outputs.map(() => []);
    const { width, height, layout, name } = this.manifest.input;
    const size = width * height * 3;
    // A single tensor goes in as it is; a batch is packed into one buffer.
    const flat = tensors.length === 1 ? tensors[0]! : new Float32Array(size * tensors.length);
    if (tensors.length > 1) tensors.forEach((t, i) => flat.set(t, i * size));
    const dims = layout === 'NHWC' ? [tensors.length, height, width, 3] : [tensors.length, 3, height, width];
    return runOutputs(this.loaded, name, outputs, flat, dims);
  }
}
