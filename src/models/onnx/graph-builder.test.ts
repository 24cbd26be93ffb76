import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { OnnxGraphBuilder } from './graph-builder.js';

describe('OnnxGraphBuilder', () => {
  it('writes a model onnxruntime runs, with float, int and integral-float attributes', async () => {
    const g = new OnnxGraphBuilder('t');
    const x = g.addInput('x', ['batch', 2]);
    const w = g.addFloatInitializer('w', new Float32Array([1, 2, 3, 4]), [2, 2]);
    const b = g.addFloatInitializer('b', new Float32Array([-10, 0.5]), [2]);
    const mm = g.node('MatMul', [x, w]);
    const add = g.node('Add', [mm, b]);
    const leaky = g.node('LeakyRelu', [add], { alpha: 0.2 });
    const out = g.node('Mul', [leaky, g.addFloatInitializer('k', new Float32Array([1]), [1])], {}, 'y');
    const softsign = g.node('Elu', [out], { alpha: { float: 1 } }, 'elu');
    g.addOutput(softsign, ['batch', 2]);
    const session = await ort.InferenceSession.create(g.toBytes());
    const result = await session.run({
      x: new ort.Tensor('float32', new Float32Array([1, 1, 2, 0]), [2, 2]),
    });
    const y = Array.from(result[softsign]!.data as Float32Array);
    // row1: [1+3-10, 2+4+0.5] = [-6, 6.5] -> leaky [-1.2, 6.5] -> elu [e^-1.2 - 1, 6.5]
    // row2: [2-10, 4+0.5] = [-8, 4.5] -> [-1.6, 4.5] -> [e^-1.6 - 1, 4.5]
    const expected = [Math.exp(-1.2) - 1, 6.5, Math.exp(-1.6) - 1, 4.5];
    y.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
  });
});
