import { normalizeInPlace } from '../vectors.js';
import { headManifestSchema, readManifest, type HeadManifest } from './manifest.js';
import { verifiedModelPath } from './model-files.js';
import { runRows, type LoadedSession, type OnnxRuntime } from './onnx-runtime.js';

/** The trained MLP (or ridge) that maps visual features into the word-vector space. */
export class ProjectionHead {
  private constructor(
    readonly manifest: HeadManifest,
    private readonly loaded: LoadedSession,
  ) {}

  static async load(dir: string, runtime: OnnxRuntime): Promise<ProjectionHead> {
    const manifest = await readManifest(dir, headManifestSchema);
    const file = await verifiedModelPath(
      dir,
      manifest.file,
      manifest.sha256,
      `visem train --out ${dir}, or restore it from git`,
    );
    return new ProjectionHead(manifest, await runtime.load(file));
  }

  get dimension(): number {
    return this.manifest.output.dimension;
  }

  /** Projects feature rows; outputs are L2-normalised copies. */
  async project(features: readonly Float32Array[]): Promise<Float32Array[]> {
    if (features.length === 0) return [];
    const d = this.manifest.input.dimension;
    const flat = new Float32Array(d * features.length);
    features.forEach((f, i) => flat.set(f, i * d));
    const rows = await runRows(this.loaded, this.manifest.input.name, this.manifest.output.name, flat, [
      features.length,
      d,
    ]);
    return rows.map((r) => normalizeInPlace(new Float32Array(r)));
  }
}
