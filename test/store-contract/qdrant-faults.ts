import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP proxy in front of Qdrant that answers 503 to chosen point-upsert requests instead of
 * forwarding them: a fault in the middle of a multi-chunk write, as a restarting peer or a load balancer
 * timing out produces it.
 */
export class FaultyProxy {
  private upserts = 0;
  private failing = new Set<number>();

  private readonly server: http.Server;
  url = '';

  private constructor(target: string) {
    this.server = http.createServer((req, res) => void this.handle(target, req, res));
  }

  static async start(target: string): Promise<FaultyProxy> {
    const proxy = new FaultyProxy(target);
    await new Promise<void>((r) => proxy.server.listen(0, '127.0.0.1', r));
    proxy.url = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
    return proxy;
  }

  /** The n-th point upsert from now on (1-based) fails. */
  failUpsert(n: number): void {
    this.failing.add(this.upserts + n);
  }

  private async handle(target: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method === 'PUT' && /\/collections\/[^/]+\/points(\?|$)/.test(req.url ?? '')) {
      if (this.failing.delete(++this.upserts)) {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: { error: 'injected fault' } }));
        return;
      }
    }
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)),
    ) as Record<string, string>;
    const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
    const answer = await fetch(`${target}${req.url}`, {
      method: req.method!,
      headers,
      ...(body ? { body } : {}),
    });
    res.writeHead(answer.status, {
      'content-type': answer.headers.get('content-type') ?? 'application/json',
    });
    res.end(Buffer.from(await answer.arrayBuffer()));
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}
