import { spawn } from 'node:child_process';
import path from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { TEST_ENV } from './test-data.js';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a TypeScript entry point of this repository to completion, through the test loader. */
export function runTsScript(
  script: string,
  args: string[],
  env: Record<string, string | undefined>,
  cwd?: string,
): Promise<CliRun> {
  const root = packageRoot();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', path.join(root, 'test/support/ts-loader.mjs'), path.join(root, script), ...args],
      { cwd: cwd ?? root, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the real CLI to completion (TypeScript through the test loader) with the test settings. */
export function runCli(args: string[], env: Record<string, string>, cwd?: string): Promise<CliRun> {
  // A QDRANT_URL of the test run's own environment (for the contract suite) never leaks into the CLI.
  const inherited = { ...process.env, QDRANT_URL: undefined, QDRANT_COLLECTION_PREFIX: undefined };
  return runTsScript('src/cli/main.ts', args, { ...inherited, ...TEST_ENV, ...env }, cwd);
}
