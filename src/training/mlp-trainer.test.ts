import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cosine } from '../vectors.js';
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

  it('repeats exactly from its seed, dropout included, and a resumed run ends where an uninterrupted one does', async () => {
    const dropConfig = { ...config, epochs: 6, dropout: 0.3, inputDropout: 0.2 };
    const weights = (r: { stack: { layers: { weights: Float32Array; bias: Float32Array }[] } }) =>
      r.stack.layers.flatMap((l) => [...l.weights, ...l.bias]);
    const a = await trainMlp(train, val, dropConfig);
    const b = await trainMlp(train, val, dropConfig);
    expect(weights(b)).toEqual(weights(a));
    expect(b.history.map((h) => h.trainLoss)).toEqual(a.history.map((h) => h.trainLoss));
    const other = await trainMlp(train, val, { ...dropConfig, seed: 2 });
    expect(weights(other)).not.toEqual(weights(a));

    // Stopped after epoch 3 (as Ctrl-C would), then rerun: it resumes at epoch 4 and ends the same.
    const checkpointFile = path.join(dir, 'repeat.bin');
    const stop = new AbortController();
    await trainMlp(train, val, dropConfig, {
      checkpointFile,
      signal: stop.signal,
      onEpoch: (r) => r.epoch === 3 && stop.abort(),
    });
    const resumedEpochs: number[] = [];
    const resumed = await trainMlp(train, val, dropConfig, {
      checkpointFile,
      onEpoch: (r) => resumedEpochs.push(r.epoch),
    });
    expect(resumedEpochs).toEqual([4, 5, 6]);
    // Not bit-equal: restoring Adam recomputes beta^t with pow() where the live run multiplied.
    const wa = weights(a);
    const diff = Math.max(...weights(resumed).map((w, i) => Math.abs(w - wa[i]!)));
    expect(diff).toBeLessThan(1e-6);
  });

  it('trains with the softmax-over-labels loss: validation loss falls and predictions find their label', async () => {
    const result = await trainMlp(train, val, { ...config, loss: 'softmax', temperature: 0.1 });
    expect(result.bestValLoss).toBeLessThan(result.history[0]!.valLoss);
    // Nearest distinct target by cosine is the row's own target for most validation rows.
    const targets = [...new Map(val.y.map((t) => [t.join(','), t])).values()];
    const hits = val.x.filter((x, i) => {
      const p = forwardDense(result.stack, x);
      const best = targets.reduce((a, t) => (cosine(p, t) > cosine(p, a) ? t : a));
      return best.join(',') === val.y[i]!.join(',');
    }).length;
    expect(hits / val.x.length).toBeGreaterThan(0.8);
  });

  it('the softmax loss validates against every label when validation holds a single one', async () => {
    const one = val.y[0]!.join(',');
    const single = {
      x: val.x.filter((_, i) => val.y[i]!.join(',') === one),
      y: val.y.filter((t) => t.join(',') === one),
    };
    const result = await trainMlp(train, single, { ...config, epochs: 3, loss: 'softmax' });
    expect(Number.isFinite(result.bestValLoss)).toBe(true);
    const oneClass = { x: train.x.slice(0, 2), y: [train.y[0]!, train.y[0]!] };
    await expect(trainMlp(oneClass, single, { ...config, loss: 'softmax' })).rejects.toThrow(/two distinct/);
  });

  it('softmax negatives compete in the training loss but never become targets', async () => {
    // No dropout, same seed: the only difference between the runs is the extra competing vectors.
    const base = { ...config, epochs: 1, dropout: 0, loss: 'softmax' as const };
    const negatives = syntheticRows(mulberry32(99), {
      inputDim: 1,
      outputDim: 8,
      classes: 40,
      perClass: 1,
    }).targets;
    const plain = await trainMlp(train, val, base);
    const withNegatives = await trainMlp(train, val, base, { negatives });
    // More classes in the softmax: a larger training loss from the same starting weights...
    expect(withNegatives.history[0]!.trainLoss).toBeGreaterThan(plain.history[0]!.trainLoss + 0.1);
    // ...while validation still ranks among the 6 validation labels only: the loss stays near ln 6, well
    // under ln 46 (what it would start from if the negatives competed there too).
    expect(withNegatives.history[0]!.valLoss).toBeLessThan(Math.log(6) + 1);
  });
});
