import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encoderManifestSchema } from '../manifest.js';
import { buildEncoder, ensureEncoderBuilt } from './build-encoder.js';
import { parseJsLiteral } from './js-literal.js';
import { tfPadding } from './keras-layers.js';
import { kerasToOnnx, type Pooling } from './keras-to-onnx.js';
import { loadNsfwjsArtifacts, type NsfwjsModel, type TfjsArtifacts } from './tfjs-artifacts.js';
import { tfjsReferenceFeatures } from './tfjs-reference.js';

/** Two different deterministic RGB/255 images, NHWC. */
function syntheticBatch(n: number, size: number): Float32Array {
  const out = new Float32Array(n * size * size * 3);
  let i = 0;
  for (let b = 0; b < n; b++)
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++)
        for (let c = 0; c < 3; c++)
          out[i++] = 0.5 + 0.5 * Math.sin((x * (c + 1) + y * (3 - c)) * 0.11 + b * 1.7);
  return out;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('Keras → ONNX matches TF.js on nsfwjs weights', () => {
  const artifacts = new Map<NsfwjsModel, TfjsArtifacts>();
  beforeAll(async () => {
    // The WASM backend runs the full 299×299 InceptionV3 reference in ~1 s; the CPU backend takes ~15 s.
    await tf.setBackend('wasm');
    await tf.ready();
    for (const m of ['inception_v3', 'mobilenet_v2'] as const) artifacts.set(m, await loadNsfwjsArtifacts(m));
  });

  const cases: {
    model: NsfwjsModel;
    cut: string;
    size: number;
    pooling: Pooling[];
    fold: boolean;
    dim: number;
  }[] = [
    { model: 'inception_v3', cut: 'mixed6', size: 299, pooling: ['avg', 'max'], fold: true, dim: 1536 },
    {
      model: 'mobilenet_v2',
      cut: 'block_13_expand_relu',
      size: 224,
      pooling: ['avg', 'max'],
      fold: true,
      dim: 1152,
    },
    // Unfolded: exercises the standalone BatchNormalization and Pad ops.
    { model: 'mobilenet_v2', cut: 'block_6_expand_relu', size: 96, pooling: ['max'], fold: false, dim: 192 },
  ];
  for (const c of cases) {
    it(`${c.model} cut at ${c.cut} (${c.size}px, ${c.pooling.join('+')}, fold=${c.fold}) within 1e-4`, async () => {
      const a = artifacts.get(c.model)!;
      const conv = kerasToOnnx(a.modelTopology, a.weights, {
        cutLayer: c.cut,
        pooling: c.pooling,
        inputSize: { height: c.size, width: c.size },
        fold: c.fold,
      });
      expect(conv.dimension).toBe(c.dim);
      const shape: [number, number, number, number] = [2, c.size, c.size, 3];
      const input = syntheticBatch(2, c.size);
      const session = await ort.InferenceSession.create(conv.builder.toBytes());
      const out = await session.run({ [conv.inputName]: new ort.Tensor('float32', input, shape) });
      const onnx = out[conv.outputName]!;
      expect(onnx.dims).toEqual([2, c.dim]);
      const ref = await tfjsReferenceFeatures(a, c.cut, c.pooling, input, shape);
      expect(maxAbsDiff(onnx.data as Float32Array, ref)).toBeLessThan(1e-4);
      // Guard against a vacuous pass (e.g. all-zero features).
      expect(Math.max(...ref)).toBeGreaterThan(0.1);
    });
  }

  it('rejects an unknown cut layer and the GraphModel variant', async () => {
    const a = artifacts.get('mobilenet_v2')!;
    expect(() => kerasToOnnx(a.modelTopology, a.weights, { cutLayer: 'nope', pooling: ['avg'] })).toThrow(
      /not found/,
    );
    const mid = await loadNsfwjsArtifacts('mobilenet_v2_mid');
    expect(mid.format).toBe('graph-model');
  });
});

describe('conversion helpers', () => {
  it('pads TF "same" with stride 2 asymmetrically (extra pixel bottom/right)', () => {
    expect(tfPadding('same', 224, 224, [3, 3], [2, 2])).toEqual({ pads: [0, 0, 1, 1], outH: 112, outW: 112 });
    expect(tfPadding('same', 17, 17, [1, 7], [1, 1])).toEqual({ pads: [0, 3, 0, 3], outH: 17, outW: 17 });
    expect(tfPadding('valid', 299, 299, [3, 3], [2, 2])).toEqual({
      pads: [0, 0, 0, 0],
      outH: 149,
      outW: 149,
    });
  });

  it('parses minified JS literals without evaluating them', () => {
    const src = `{a:!0,b:!1,"c":[.5,-1e-3,null,void 0],d:'x\\'y',e:{f:"\\u0041"}}`;
    expect(parseJsLiteral(src).value).toEqual({
      a: true,
      b: false,
      c: [0.5, -0.001, null, undefined],
      d: "x'y",
      e: { f: 'A' },
    });
    expect(() => parseJsLiteral('{a:require("fs")}')).toThrow(/unexpected token/);
  });
});

describe('buildEncoder / ensureEncoderBuilt', () => {
  let dir: string;
  const opts = () => ({
    model: 'mobilenet_v2' as const,
    cutLayer: 'block_3_expand_relu',
    pooling: ['avg' as const],
    outDir: dir,
    name: 't',
  });
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'visem-enc-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('builds once, skips when unchanged, rebuilds a corrupt or missing file', async () => {
    const stages = new Set<string>();
    const first = await buildEncoder({ ...opts(), onProgress: (_d, _t, s) => stages.add(s) });
    expect(first).toMatchObject({ skipped: false, dimension: 144 });
    expect([...stages]).toEqual(['load', 'convert', 'serialize', 'write']);
    const manifest = encoderManifestSchema.parse(
      JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')),
    );
    expect(manifest).toMatchObject({
      sha256: first.sha256,
      input: { name: 'image', width: 224, height: 224, layout: 'NHWC', scale: 255 },
      output: { name: 'features', dimension: 144 },
      build: {
        converter: 'nsfwjs-keras',
        model: 'mobilenet_v2',
        cutLayer: 'block_3_expand_relu',
        pooling: ['avg'],
      },
      provenance: { license: 'MIT' },
    });

    expect(await buildEncoder(opts())).toEqual({ ...first, skipped: true });
    expect(await ensureEncoderBuilt(dir)).toEqual({ ...first, skipped: true });

    await writeFile(first.path, 'corrupt');
    expect(await ensureEncoderBuilt(dir)).toEqual({ ...first, skipped: false });
    await rm(first.path);
    expect(await ensureEncoderBuilt(dir)).toEqual({ ...first, skipped: false });

    // A changed recipe is a rebuild with a different model.
    const both = await buildEncoder({ ...opts(), pooling: ['avg', 'max'] });
    expect(both).toMatchObject({ skipped: false, dimension: 288 });
    expect(both.sha256).not.toBe(first.sha256);
  });
});
