import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EmbeddedStoreOptions } from '../../src/store/embedded.store.js';
import type { Command } from './store-worker.js';

const root = path.resolve(import.meta.dirname, '../..');

export type Reply = { ok: true; result: unknown } | { ok: false; code: string; message: string };

/** A second process with its own EmbeddedStore on `dir` (a real process: its own SQLite connection). */
export class StoreChild {
  private buf = '';
  private stderr = '';
  private waiting: ((r: Reply) => void)[] = [];

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (d: Buffer) => {
      this.buf += d.toString();
      const lines = this.buf.split('\n');
      this.buf = lines.pop()!;
      for (const line of lines) this.waiting.shift()?.(JSON.parse(line) as Reply);
    });
    child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
  }

  static start(dir: string, options: Partial<EmbeddedStoreOptions> = {}): StoreChild {
    const loader = pathToFileURL(path.join(root, 'test/support/ts-loader.mjs')).href;
    const worker = path.join(root, 'test/store-contract/store-worker.ts');
    const child = spawn(process.execPath, ['--import', loader, worker, dir, JSON.stringify(options)], {
      cwd: root,
    });
    return new StoreChild(child);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Sends one command; resolves with the reply (errors included, as data). */
  send(cmd: Command): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null): void =>
        reject(new Error(`worker exited (${code}): ${this.stderr}`));
      this.child.once('exit', onExit);
      this.waiting.push((r) => {
        this.child.off('exit', onExit);
        resolve(r);
      });
      this.child.stdin.write(JSON.stringify(cmd) + '\n');
    });
  }

  /** Sends one command that must succeed; resolves with its result. */
  async call<T = unknown>(cmd: Command): Promise<T> {
    const r = await this.send(cmd);
    if (!r.ok) throw new Error(`worker ${cmd.op} failed: ${r.code} ${r.message}`);
    return r.result as T;
  }

  /** Closes the store (stdin end) and waits for a clean exit. */
  stop(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.child.exitCode !== null) return resolve();
      this.child.once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`exit ${code}: ${this.stderr}`)),
      );
      this.child.stdin.end();
    });
  }
}
