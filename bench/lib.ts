/** Shared helpers for the benchmark harness: timing, percentiles, deterministic data, the results table. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const now = (): number => performance.now();

export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
export const median = (xs: readonly number[]): number => percentile(xs, 50);

/** Runs `fn` until `budgetMs` has passed (at least `minRuns` times, at most `maxRuns`); returns each run's ms. */
export async function timed(
  fn: () => Promise<unknown>,
  budgetMs: number,
  minRuns = 3,
  maxRuns = 10_000,
): Promise<number[]> {
  const out: number[] = [];
  const end = now() + budgetMs;
  while (out.length < maxRuns && (out.length < minRuns || now() < end)) {
    const t = now();
    await fn();
    out.push(now() - t);
  }
  return out;
}

/** Runs `n` async jobs with at most `concurrency` in flight. */
export async function pool<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, i: number) => Promise<void>,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

/** The Tux Paint stamp PNGs (real photos/drawings), spread evenly over the set, in a stable order. */
export function stampFiles(n: number, root = '/usr/share/tuxpaint/stamps'): string[] {
  const all: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs
      .readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.png')) all.push(p);
    }
  };
  walk(root);
  if (all.length === 0) throw new Error(`no PNG stamps under ${root} (install tuxpaint-stamps-default)`);
  const step = Math.max(1, Math.floor(all.length / n));
  return all.filter((_, i) => i % step === 0).slice(0, n);
}

export function machine(): Record<string, unknown> {
  const cpu =
    fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? os.cpus()[0]?.model;
  return {
    cpu,
    cores: os.cpus().length,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

export interface Figure {
  metric: string;
  value: number;
  unit: string;
  /** What the value is compared with (a measured reference or a fixed bound). */
  reference?: number;
  referenceLabel?: string;
  /** Human-readable goal, e.g. `≤ 5 ms`. */
  goal?: string;
  pass?: boolean;
  provider?: string;
  note?: string;
}

export function fmt(x: number | undefined, digits = 3): string {
  if (x === undefined || !Number.isFinite(x)) return '–';
  if (Math.abs(x) >= 100) return x.toFixed(0);
  return Number(x.toPrecision(digits)).toString();
}

/** Fixed-width table (also valid Markdown). */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const w = headers.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((x, c) => x.padEnd(w[c]!)).join(' | ')} |`;
  return [
    line(cells[0]!),
    `|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`,
    ...cells.slice(1).map(line),
  ].join('\n');
}

export function figureTable(figures: Figure[]): string {
  return table(
    ['metric', 'value', 'reference/bound', 'ratio', 'goal', 'result'],
    figures.map((f) => [
      f.metric,
      `${fmt(f.value)} ${f.unit}`,
      f.reference !== undefined
        ? `${fmt(f.reference)}${f.referenceLabel ? ` (${f.referenceLabel})` : ''}`
        : (f.referenceLabel ?? ''),
      f.reference ? fmt(f.value / f.reference) : '',
      f.goal ?? '',
      f.pass === undefined ? 'info' : f.pass ? 'PASS' : 'FAIL',
    ]),
  );
}

export function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}
