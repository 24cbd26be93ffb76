import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OnnxRuntime, runRows } from '../models/onnx-runtime.js';
import { ProjectionHead } from '../models/projection-head.js';
import { applyConseBlend, conseBlendOf } from './conse-blend.js';
import { forwardDense } from './dense-stack.js';
import { exportHead, describeArchitecture } from './head-export.js';
import { applyInputTransform, fitInputTransform } from './input-transform.js';
import { buildMlp, DEFAULT_MLP_CONFIG, trainMlp } from './mlp-trainer.js';
import { mulberry32 } from './random.js';
import { syntheticRows } from './test-fixtures.js';
import { tf } from './tf-backend.js';

const dir = await mkdtemp(path.join(tmpdir(), 'visem-head-'));
const runtime = new OnnxRuntime({ provider: 'cpu', intraOpThreads: 1 });
afterAll(async () => {
  await runtime.release();
  await rm(dir, { recursive: true, force: true });
});

describe('exportHead', () => {
  it('writes an ONNX head whose output equals the tfjs model within 1e-4', async () => {
    const { train, val } = syntheticRows(mulberry32(3), {
      inputDim: 20,
      outputDim: 6,
      classes: 5,
      perClass: 20,
    });
    // Non-negative, unevenly scaled inputs like pooled CNN features, so l2 + zscore matter.
    const raw = (rows: readonly Float32Array[]) => rows.map((r) => r.map((v, i) => Math.abs(v) * (1 + i)));
    const transform = fitInputTransform(raw(train.x), { l2: true, standardise: 'zscore' });
    const prep = (rows: readonly Float32Array[]) => raw(rows).map((r) => applyInputTransform(transform, r));
    const config = { ...DEFAULT_MLP_CONFIG, hidden: [16, 12], epochs: 3, batchSize: 16 };
    const result = await trainMlp({ x: prep(train.x), y: train.y }, { x: prep(val.x), y: val.y }, config);
    expect(result.backend).toBe('wasm');

    const manifest = await exportHead(dir, result.stack, transform, {
      name: 'test-head',
      encoder: 'test-encoder',
      wordVectors: 'glove-wink-100d',
      architecture: describeArchitecture(result.stack, transform),
      provenance: { source: 'unit test', license: 'MIT' },
    });
    expect(manifest.input).toEqual({ name: 'features', dimension: 20 });
    expect(manifest.output).toEqual({ name: 'embedding', dimension: 6 });
    expect(JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'))).toMatchObject({
      sha256: manifest.sha256,
    });

    // The tfjs reference: same architecture, the exported weights, fed the transformed input.
    const model = buildMlp(20, 6, config);
    model.setWeights(
      result.stack.layers.flatMap((l) => [tf.tensor2d(l.weights, [l.inDim, l.outDim]), tf.tensor1d(l.bias)]),
    );
    const inputs = raw(val.x);
    const expected = (
      model.predict(
        tf.tensor2d(
          inputs.flatMap((r) => Array.from(applyInputTransform(transform, r))),
          [inputs.length, 20],
        ),
      ) as tf.Tensor2D
    ).arraySync();

    const head = await ProjectionHead.load(dir, runtime);
    // project() L2-normalises, so compare directions there and raw values on the session itself.
    const projected = await head.project(inputs);
    const maxDiff = Math.max(
      ...projected.flatMap((p, i) => {
        const e = expected[i]!;
        const n = Math.hypot(...e);
        return Array.from(p, (v, j) => Math.abs(v - e[j]! / n));
      }),
    );
    expect(maxDiff).toBeLessThan(1e-4);

    const session = await runtime.load(path.join(dir, 'model.onnx'));
    const rawOut = await runRows(
      session,
      'features',
      'embedding',
      Float32Array.from(inputs.flatMap((r) => Array.from(r))),
      [inputs.length, 20],
    );
    const rawDiff = Math.max(
      ...rawOut.flatMap((r, i) => Array.from(r, (v, j) => Math.abs(v - expected[i]![j]!))),
    );
    expect(rawDiff).toBeLessThan(1e-4);
    model.dispose();
  });

  it('folds a ConSE blend into the graph: ONNX equals the reference blend within 1e-5', async () => {
    const rng = mulberry32(11);
    const { train, val } = syntheticRows(rng, { inputDim: 12, outputDim: 8, classes: 6, perClass: 10 });
    const transform = fitInputTransform(train.x, { l2: true, standardise: 'zscore' });
    const prep = (rows: readonly Float32Array[]) => rows.map((r) => applyInputTransform(transform, r));
    const config = { ...DEFAULT_MLP_CONFIG, hidden: [10], epochs: 2, batchSize: 16 };
    const result = await trainMlp({ x: prep(train.x), y: train.y }, { x: prep(val.x), y: val.y }, config);
    const blend = conseBlendOf(train.y, { temperature: 0.1, weight: 1 });
    expect(blend.classes).toBe(6);
    const blendDir = path.join(dir, 'blend');
    const manifest = await exportHead(blendDir, result.stack, transform, {
      name: 'blend-head',
      encoder: 'test-encoder',
      wordVectors: 'glove-wink-100d',
      architecture: describeArchitecture(result.stack, transform, blend),
      provenance: { source: 'unit test', license: 'MIT' },
      blend,
    });
    expect(manifest.architecture).toContain('ConSE blend (6 classes');
    const session = await runtime.load(path.join(blendDir, 'model.onnx'));
    const out = await runRows(
      session,
      'features',
      'embedding',
      Float32Array.from(val.x.flatMap((r) => Array.from(r))),
      [val.x.length, 12],
    );
    const expected = val.x.map((r) =>
      applyConseBlend(blend, forwardDense(result.stack, applyInputTransform(transform, r))),
    );
    const diff = Math.max(...out.flatMap((r, i) => Array.from(r, (v, j) => Math.abs(v - expected[i]![j]!))));
    expect(diff).toBeLessThan(1e-5);
    // The blend changed the output: it is not the plain head's direction.
    const plain = val.x.map((r) => forwardDense(result.stack, applyInputTransform(transform, r)));
    const unchanged = plain.every((p, i) => {
      const n = Math.hypot(...p);
      return Array.from(p).every((v, j) => Math.abs(v / n - out[i]![j]!) < 1e-3);
    });
    expect(unchanged).toBe(false);
  });
});
