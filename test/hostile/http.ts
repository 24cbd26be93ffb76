import net from 'node:net';

/** Raw POST to /graphql with an arbitrary body and headers; the answer's status, headers and parsed JSON. */
export async function postRaw(
  url: string,
  body: string,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<{
  status: number;
  headers: Headers;
  json: { data?: unknown; errors?: { extensions?: { code?: string } }[] };
}> {
  const res = await fetch(`${url}/graphql`, { method: 'POST', body, headers });
  const text = await res.text();
  let json = {};
  try {
    json = JSON.parse(text) as object;
  } catch {
    json = { errors: [{ message: text.slice(0, 200), extensions: { code: `HTTP_${res.status}` } }] };
  }
  return { status: res.status, headers: res.headers, json };
}

export const rawCodes = (r: { json: { errors?: { extensions?: { code?: string } }[] } }): string[] =>
  (r.json.errors ?? []).map((e) => String(e.extensions?.code));

/** A loopback TCP listener that counts connections: proof that nothing was fetched from it. */
export async function connectionTrap(): Promise<{
  url: string;
  connections: () => number;
  close: () => Promise<void>;
}> {
  let count = 0;
  const server = net.createServer((socket) => {
    count++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/x.png`,
    connections: () => count,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Rejects when `promise` takes longer than `ms`: a hang detector, not a performance target. */
export function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
