import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics served at /metrics. Label values are bounded (operation names from the schema). */
export class Metrics {
  readonly registry = new Registry();
  readonly requestDuration = new Histogram({
    name: 'visem_graphql_request_duration_seconds',
    help: 'GraphQL request latency by root field',
    labelNames: ['field', 'outcome'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'visem_graphql_errors_total',
    help: 'GraphQL errors by code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly modelBatchDuration = new Histogram({
    name: 'visem_model_batch_duration_seconds',
    help: 'Encoder + head latency per batch',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly modelImages = new Counter({
    name: 'visem_model_images_total',
    help: 'Images run through the models',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'visem_' });
  }

  observeBatch(size: number, seconds: number): void {
    this.modelBatchDuration.observe(seconds);
    this.modelImages.inc(size);
  }
}
