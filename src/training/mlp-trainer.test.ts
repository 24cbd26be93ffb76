import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { forwardDense } from './dense-stack.js';
import { DEFAULT_MLP_CONFIG, trainMlp, type EpochReport } from './mlp-trainer.js';
import { mulberry32 } from './random.js';
import { syntheticRows } from './test-fixtures.js';

const dir = await mkdtemp(path.join(tmpdir(), 'visem-mlp-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('trainMlp', () => {
  const { train, val } = syntheticRows(mulberry32(7), {
    inputDim: 24,
    outputDim: 8,
    classes: 6,
    perClass: 30,
  });
  const config = { ...DEFAULT_MLP_CONFIG, hidden: [32], epochs: 12, batchSize: 32, learningRate: 1e-2 };

  it('lowers the validation loss and keeps the best epoch', async () => {
    const reports: EpochReport[] = [];
    const result = await trainMlp(train, val, config, { onEpoch: (r) => reports.push(r) });
    expect(reports).toHaveLength(12);
    expect(result.bestValLoss).toBeLessThan(reports[0]!.valLoss * 0.5);
    expect(result.bestValLoss).toBe(Math.min(...reports.map((r) => r.valLoss)));
    expect(result.stack.layers.map((l) => [l.inDim, l.outDim])).toEqual([
      [24, 32],
      [32, 8],
    ]);
    expect(forwardDense(result.stack, train.x[0]!)).toHaveLength(8);
  });

  it('resumes from its checkpoint instead of starting over', async () => {
    const checkpointFile = path.join(dir, 'ck.bin');
    const first = await trainMlp(train, val, { ...config, epochs: 4 }, { checkpointFile });
    expect(first.history).toHaveLength(4);
    const epochs: number[] = [];
    // Same config except the epoch count → a different config, so it must not resume...
    const fresh = await trainMlp(
      train,
      val,
      { ...config, epochs: 5 },
      { checkpointFile, onEpoch: (r) => epochs.push(r.epoch) },
    );
    expect(epochs[0]).toBe(1);
    expect(fresh.history).toHaveLength(5);
    // ...while the identical config continues after the saved epoch.
    const resumedEpochs: number[] = [];
    const resumed = await trainMlp(
      train,
      val,
      { ...config, epochs: 5 },
      { checkpointFile, onEpoch: (r) => resumedEpochs.push(r.epoch) },
    );
    expect(resumedEpochs).toEqual([]);
    expect(resumed.history).toHaveLength(5);
    expect(resumed.bestValLoss).toBe(fresh.bestValLoss);
  });
});
