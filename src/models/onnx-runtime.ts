import { existsSync } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { AppError, ErrorCode } from '../errors.js';

export type ProviderSetting = 'auto' | 'cpu' | 'cuda';

export interface RuntimeOptions {
  provider: ProviderSetting;
  /** Threads inside one operator; 0 lets onnxruntime choose (all cores). */
  intraOpThreads: number;
}

/** A loaded ONNX model with the provider it actually runs on. */
export interface LoadedSession {
  session: ort.InferenceSession;
  provider: 'cpu' | 'cuda';
  path: string;
  /** With `auto`, why CUDA was not used (no provider library, or it failed to start). */
  cpuReason?: string;
}

/**
 * Where onnxruntime-node keeps its native libraries. The CUDA provider is never bundled in the npm
 * package (`listSupportedBackends()` always says `bundled: false`): its install script puts it here.
 */
export function cudaProviderLibrary(): string {
  const pkg = createRequire(import.meta.url).resolve('onnxruntime-node/package.json');
  return path.join(
    path.dirname(pkg),
    'bin',
    'napi-v6',
    process.platform,
    process.arch,
    'libonnxruntime_providers_cuda.so',
  );
}

/**
 * Whether to try CUDA: `cpu` never, `cuda` always (failing loudly), `auto` when the provider library is
 * present. Trying is the real test (the library needs a driver, CUDA and cuDNN); a missing library is
 * skipped without trying, since the attempt only prints a native error.
 */
export function cudaPlan(
  setting: ProviderSetting,
  libraryPresent: boolean,
  earlierFailure?: string,
): { tryCuda: true } | { tryCuda: false; reason?: string } {
  if (setting === 'cpu') return { tryCuda: false };
  if (setting === 'cuda') return { tryCuda: true };
  if (earlierFailure) return { tryCuda: false, reason: earlierFailure };
  if (!libraryPresent)
    return {
      tryCuda: false,
      reason: 'the CUDA provider is not installed (README "GPU (CUDA)": ONNXRUNTIME_NODE_INSTALL=cuda12)',
    };
  return { tryCuda: true };
}

/**
 * The one home of onnxruntime sessions: created once per model file and reused. CUDA is used when asked
 * for (`ORT_PROVIDER=cuda`) or, with `auto`, when a CUDA session starts; otherwise CPU, with the reason.
 */
export class OnnxRuntime {
  private readonly sessions = new Map<string, Promise<LoadedSession>>();
  /** With `auto`, the first CUDA failure: later models go straight to CPU. */
  private cudaFailure: string | undefined;

  constructor(
    private readonly options: RuntimeOptions,
    private readonly libraryPresent: () => boolean = () => existsSync(cudaProviderLibrary()),
  ) {}

  load(path: string): Promise<LoadedSession> {
    let loaded = this.sessions.get(path);
    if (!loaded) {
      loaded = this.create(path);
      this.sessions.set(path, loaded);
      loaded.catch(() => this.sessions.delete(path));
    }
    return loaded;
  }

  private async create(path: string): Promise<LoadedSession> {
    try {
      await access(path);
    } catch (cause) {
      throw new AppError(ErrorCode.MODEL_UNAVAILABLE, `model file missing: ${path}`, { path }, { cause });
    }
    const bytes = await readFile(path);
    const base: ort.InferenceSession.SessionOptions = {
      graphOptimizationLevel: 'all',
      ...(this.options.intraOpThreads > 0 ? { intraOpNumThreads: this.options.intraOpThreads } : {}),
      // Idle intra-op threads sleep instead of spin-waiting: spinning burns the cores that decoding, other
      // batches and other processes need (on 2 shared cores ingest ran at half speed with 2 threads).
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    };
    const plan = cudaPlan(this.options.provider, this.libraryPresent(), this.cudaFailure);
    let cpuReason = plan.tryCuda ? undefined : plan.reason;
    if (plan.tryCuda) {
      try {
        const session = await ort.InferenceSession.create(bytes, {
          ...base,
          executionProviders: ['cuda', 'cpu'],
        });
        return { session, provider: 'cuda', path };
      } catch (cause) {
        if (this.options.provider === 'cuda') {
          throw new AppError(
            ErrorCode.MODEL_UNAVAILABLE,
            `ORT_PROVIDER=cuda but the CUDA execution provider could not start: ${String(cause)}`,
            { path },
            { cause },
          );
        }
        cpuReason = this.cudaFailure = `the CUDA provider could not start: ${String(cause)}`;
      }
    }
    try {
      const session = await ort.InferenceSession.create(bytes, { ...base, executionProviders: ['cpu'] });
      return { session, provider: 'cpu', path, ...(cpuReason ? { cpuReason } : {}) };
    } catch (cause) {
      throw new AppError(
        ErrorCode.MODEL_UNAVAILABLE,
        `model file is corrupt or not ONNX: ${path}`,
        { path },
        { cause },
      );
    }
  }

  async release(): Promise<void> {
    const all = await Promise.allSettled(this.sessions.values());
    this.sessions.clear();
    await Promise.all(all.flatMap((s) => (s.status === 'fulfilled' ? [s.value.session.release()] : [])));
  }
}

/** Runs a [batch, dim] float model over rows, returning one Float32Array per row (views, no copies). */
export async function runRows(
  loaded: LoadedSession,
  inputName: string,
  outputName: string,
  flat: Float32Array,
  dims: number[],
): Promise<Float32Array[]> {
  return (await runOutputs(loaded, inputName, [outputName], flat, dims))[0]!;
}

/** One run, several [batch, dim] outputs: per output name (in order), one Float32Array view per row. */
export async function runOutputs(
  loaded: LoadedSession,
  inputName: string,
  outputNames: readonly string[],
  flat: Float32Array,
  dims: number[],
): Promise<Float32Array[][]> {
  const result = await loaded.session.run({ [inputName]: new ort.Tensor('float32', flat, dims) }, [
    ...outputNames,
  ]);
  const batch = dims[0]!;
  return outputNames.map((name) => {
    const out = result[name];
    if (!out) throw new AppError(ErrorCode.MODEL_UNAVAILABLE, `model has no output named ${name}`);
    const data = out.data as Float32Array;
    const width = data.length / batch;
    return Array.from({ length: batch }, (_, i) => data.subarray(i * width, (i + 1) * width));
  });
}
