import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { InferenceQueue } from './inference-queue.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('InferenceQueue', () => {
  it('batches jobs that wait together and keeps results in order', async () => {
    const batches: number[][] = [];
    const q = new InferenceQueue<number, number>({
      concurrency: 1,
      batchSize: 4,
      capacity: 100,
      run: async (xs) => {
        batches.push(xs);
        await tick();
        return xs.map((x) => x * 10);
      },
    });
    const results = await Promise.all(
      [1, 2, 3, 4, 5, 6].map((x) =>
        q.admit(
          async () => x,
          (x) => x,
        ),
      ),
    );
    expect(results.map((r) => r.output)).toEqual([10, 20, 30, 40, 50, 60]);
    // The first job starts alone; the ones that queued behind it share batches of at most 4.
    expect(batches.flat()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(4);
    expect(batches.length).toBeLessThan(6);
  });

  it('refuses work beyond capacity with SERVER_BUSY and recovers after', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const q = new InferenceQueue<number, number>({
      concurrency: 1,
      batchSize: 1,
      capacity: 2,
      run: async (xs) => {
        await gate;
        return xs;
      },
    });
    const a = q.admit(
      async () => 1,
      (x) => x,
    );
    const b = q.admit(
      async () => 2,
      (x) => x,
    );
    await expect(
      q.admit(
        async () => 3,
        (x) => x,
      ),
    ).rejects.toSatisfy((e) => e instanceof AppError && e.code === 'SERVER_BUSY');
    release();
    await Promise.all([a, b]);
    await expect(
      q.admit(
        async () => 4,
        (x) => x,
      ),
    ).resolves.toEqual({ prepared: 4, output: 4 });
    expect(q.load.admitted).toBe(0);
  });

  it('rejects every job of a failed batch and frees their places', async () => {
    const q = new InferenceQueue<number, number>({
      concurrency: 1,
      batchSize: 8,
      capacity: 8,
      run: () => Promise.reject(new Error('boom')),
    });
    await expect(
      q.admit(
        async () => 1,
        (x) => x,
      ),
    ).rejects.toThrow('boom');
    expect(q.load.admitted).toBe(0);
  });
});
