/** A real `visem serve` child process on loopback, and the GraphQL requests the benchmark sends it. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { now } from './lib.js';

export interface Served {
  url: string;
  child: ChildProcess;
  /** Seconds from spawn to the first 200 from /healthz. */
  startS: number;
  stderr: string[];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** `env` is the child's whole environment (the bench's context builds it; nothing here reads process.env). */
export async function startServe(env: Record<string, string>, timeoutS: number): Promise<Served> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = now();
  const child = spawn(process.execPath, [path.resolve('dist/src/cli/main.js'), 'serve'], {
    env: { ...env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr.push(d);
    if (stderr.length > 200) stderr.shift();
  });
  let exited = false;
  let how = '';
  child.once('exit', (code, signal) => {
    exited = true;
    how = `code ${code}, signal ${signal}`;
  });
  while (now() - started < timeoutS * 1000) {
    if (exited) throw new Error(`server exited during start (${how}):\n${stderr.join('').slice(-2000)}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return { url, child, startS: (now() - started) / 1000, stderr };
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`server not ready after ${timeoutS} s:\n${stderr.join('').slice(-2000)}`);
}

export async function stopServe(s: Served): Promise<void> {
  if (s.child.exitCode !== null) return;
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  const timer = setTimeout(() => s.child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

/** Peak resident set (VmHWM) and current RSS of a process, in MB. */
export function rssMb(pid: number): { peak: number; current: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(status.match(new RegExp(`${k}:\\s*(\\d+)`))?.[1] ?? NaN);
  return { peak: kb('VmHWM') / 1024, current: kb('VmRSS') / 1024 };
}

interface GqlResponse<T> {
  data?: T;
  errors?: { message: string }[];
}

async function check<T>(res: Response): Promise<T> {
  const json = (await res.json()) as GqlResponse<T>;
  if (!res.ok || json.errors?.length || !json.data) {
    throw new Error(`GraphQL ${res.status}: ${JSON.stringify(json.errors ?? json).slice(0, 300)}`);
  }
  return json.data;
}

// minScore -1: the full top k, so recall against the exact top k measures the index, not the
// relevance cut-off (synthetic points mostly score below the calibrated one).
const SEARCH =
  'query($text:String!,$first:Int){searchImages(text:$text,first:$first,minScore:-1){edges{score node{id}}}}';

export async function searchImages(url: string, text: string, first = 10): Promise<string[]> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: SEARCH, variables: { text, first } }),
  });
  const data = await check<{ searchImages: { edges: { node: { id: string } }[] } }>(res);
  return data.searchImages.edges.map((e) => e.node.id);
}

const CLASSIFY = 'mutation($image:Upload!){classify(image:$image,limit:5){id labels{word score}}}';

/** The GraphQL multipart request spec: operations, map, then the file part. */
export async function classify(
  url: string,
  bytes: Uint8Array<ArrayBuffer>,
  filename: string,
): Promise<string[]> {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query: CLASSIFY, variables: { image: null } }));
  form.append('map', JSON.stringify({ 0: ['variables.image'] }));
  form.append('0', new Blob([bytes], { type: 'image/png' }), filename);
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    body: form,
    headers: { 'apollo-require-preflight': 'true' },
  });
  const data = await check<{ classify: { labels: { word: string }[] } }>(res);
  return data.classify.labels.map((l) => l.word);
}
