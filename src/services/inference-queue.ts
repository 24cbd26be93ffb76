import { AppError, ErrorCode } from '../errors.js';

export interface QueueOptions<I, O> {
  /** Batches run at once. */
  concurrency: number;
  /** Largest batch handed to `run`. */
  batchSize: number;
  /** Jobs allowed in the system (preparing, waiting and running) before new ones are refused. */
  capacity: number;
  run: (inputs: I[]) => Promise<O[]>;
  /** Seconds a refused client is told to wait (Retry-After). */
  retryAfterSeconds?: number;
}

interface Job<I, O> {
  input: I;
  resolve: (o: O) => void;
  reject: (e: unknown) => void;
}

/**
 * A bounded queue in front of the models: jobs that arrive together run as one batch (one ONNX call),
 * at most `concurrency` batches run at once, and past `capacity` jobs callers get SERVER_BUSY at once
 * instead of piling up memory. Cheap requests never wait behind it: only image work enters.
 */
export class InferenceQueue<I, O> {
  private readonly waiting: Job<I, O>[] = [];
  private running = 0;
  private admitted = 0;

  constructor(private readonly options: QueueOptions<I, O>) {}

  get load(): { admitted: number; waiting: number; running: number; capacity: number } {
    return {
      admitted: this.admitted,
      waiting: this.waiting.length,
      running: this.running,
      capacity: this.options.capacity,
    };
  }

  /**
   * Reserves a place for one job (call before expensive preparation such as decoding), then runs
   * `prepare` and the model on its result. Throws SERVER_BUSY when full.
   */
  async admit<P>(
    prepare: () => Promise<P>,
    toInput: (prepared: P) => I,
  ): Promise<{ prepared: P; output: O }> {
    if (this.admitted >= this.options.capacity) {
      throw new AppError(ErrorCode.SERVER_BUSY, 'the server is busy with other images; retry shortly', {
        retryAfter: this.options.retryAfterSeconds ?? 1,
      });
    }
    this.admitted++;
    try {
      const prepared = await prepare();
      const output = await this.enqueue(toInput(prepared));
      return { prepared, output };
    } finally {
      this.admitted--;
    }
  }

  private enqueue(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.batchSize);
      this.running++;
      this.options
        .run(batch.map((j) => j.input))
        .then(
          (outputs) => batch.forEach((j, i) => j.resolve(outputs[i]!)),
          (error: unknown) => batch.forEach((j) => j.reject(error)),
        )
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
  }

  /** Resolves when nothing is admitted (graceful shutdown). */
  async drain(pollMs = 20): Promise<void> {
    while (this.admitted > 0) await new Promise((r) => setTimeout(r, pollMs));
  }
}
