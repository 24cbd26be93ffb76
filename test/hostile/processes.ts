import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createServices } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { packageRoot } from '../../src/paths.js';
import { startServer } from '../../src/server/app.js';
import { TEST_ENV, testTemplateDir } from '../support/test-data.js';

/** A fresh copy of the prepared data dir (vocabulary imported), for a test that owns its files. */
export async function copyTemplate(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'visem-hostile-'));
  await cp(testTemplateDir(), dir, { recursive: true });
  return dir;
}

export interface Cli {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Exit code (null when killed by a signal) and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `visem <args>` in a child process (TypeScript through the test loader) with the test settings. */
export function spawnCli(args: string[], env: Record<string, string>): Cli {
  const loader = pathToFileURL(path.join(packageRoot(), 'test/support/ts-loader.mjs')).href;
  const child = spawn(process.execPath, ['--import', loader, 'src/cli/main.ts', ...args], {
    cwd: packageRoot(),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...TEST_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Resolves with the first match of `pattern` in the child's stderr; rejects if it exits first. */
export async function waitForStderr(
  cli: Cli,
  pattern: RegExp,
  timeoutMs = 60_000,
): Promise<RegExpMatchArray> {
  const started = Date.now();
  let exited = false;
  void cli.exited.then(() => (exited = true));
  for (;;) {
    const m = pattern.exec(cli.stderr());
    if (m) return m;
    if (exited) throw new Error(`child exited before ${pattern}:\n${cli.stderr().slice(-2000)}`);
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${pattern}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** An in-process server over an existing data dir (nothing copied, nothing removed on stop). */
export async function serverOn(dataDir: string, env: Record<string, string> = {}) {
  const config = loadConfig({ ...TEST_ENV, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', ...env });
  const log = createLogger(config.LOG_LEVEL);
  const services = await createServices(config, log);
  const server = await startServer(services, log);
  return { url: server.url, services, stop: () => server.stop() };
}
