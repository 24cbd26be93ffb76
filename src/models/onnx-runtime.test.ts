import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../paths.js';
import { cudaPlan, cudaProviderLibrary, OnnxRuntime } from './onnx-runtime.js';

// A committed model (the fallback head), so this needs nothing built.
const MODEL = path.join(packageRoot(), 'models', 'head-inception-v3-mixed6', 'model.onnx');
const cudaHere = existsSync(cudaProviderLibrary());

describe('execution provider selection', () => {
  it('cpu never tries CUDA; cuda always does; auto only with the provider library, and once', () => {
    expect(cudaPlan('cpu', true)).toEqual({ tryCuda: false });
    expect(cudaPlan('cuda', false)).toEqual({ tryCuda: true });
    expect(cudaPlan('auto', true)).toEqual({ tryCuda: true });
    const missing = cudaPlan('auto', false);
    expect(missing.tryCuda).toBe(false);
    expect(!missing.tryCuda && missing.reason).toMatch(/not installed.*ONNXRUNTIME_NODE_INSTALL=cuda12/);
    expect(cudaPlan('auto', true, 'it failed before')).toEqual({
      tryCuda: false,
      reason: 'it failed before',
    });
    expect(cudaPlan('cuda', true, 'it failed before')).toEqual({ tryCuda: true });
  });

  it('looks for the provider where onnxruntime-node installs it, not at its bundled flag', () => {
    expect(cudaProviderLibrary()).toMatch(
      /onnxruntime-node\/bin\/napi-v6\/[a-z0-9]+\/[a-z0-9]+\/libonnxruntime_providers_cuda\.so$/,
    );
  });

  it.skipIf(cudaHere)('auto without the provider library runs on CPU and says why', async () => {
    const runtime = new OnnxRuntime({ provider: 'auto', intraOpThreads: 1 });
    const loaded = await runtime.load(MODEL);
    expect(loaded.provider).toBe('cpu');
    expect(loaded.cpuReason).toMatch(/CUDA provider is not installed/);
    await runtime.release();
  });

  it.skipIf(cudaHere)(
    'auto tries a present library for real: a failed start falls back to CPU, once',
    async () => {
      // The library is reported present but is not there: the real session creation fails, as it does
      // when a driver or cuDNN is missing.
      const runtime = new OnnxRuntime({ provider: 'auto', intraOpThreads: 1 }, () => true);
      const first = await runtime.load(MODEL);
      expect(first.provider).toBe('cpu');
      expect(first.cpuReason).toMatch(/^the CUDA provider could not start: /);
      expect(first.session.inputNames.length).toBeGreaterThan(0);
      // A second model does not try again: it carries the first failure.
      const dir = await mkdtemp(path.join(tmpdir(), 'visem-ort-'));
      await copyFile(MODEL, path.join(dir, 'copy.onnx'));
      const second = await runtime.load(path.join(dir, 'copy.onnx'));
      expect(second).toMatchObject({ provider: 'cpu', cpuReason: first.cpuReason });
      await runtime.release();
      await rm(dir, { recursive: true });
    },
  );

  it.skipIf(cudaHere)(
    'cuda that cannot start stops with MODEL_UNAVAILABLE instead of running on CPU',
    async () => {
      const runtime = new OnnxRuntime({ provider: 'cuda', intraOpThreads: 1 });
      const error = await runtime.load(MODEL).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'MODEL_UNAVAILABLE' });
      expect((error as Error).message).toMatch(
        /ORT_PROVIDER=cuda but the CUDA execution provider could not start/,
      );
    },
  );
});
