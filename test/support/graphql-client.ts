import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

export interface GraphQLResult<T> {
  status: number;
  headers: Headers;
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export interface UploadFile {
  bytes: Uint8Array;
  filename: string;
  type?: string;
}

/**
 * Sends a typed operation to a running server. Files go as a GraphQL multipart request
 * (https://github.com/jaydenseric/graphql-multipart-request-spec): `files` maps variable paths such as
 * `image` or `images.0` to files, which are set to null in the JSON operations part.
 */
export async function gql<T, V extends Record<string, unknown>>(
  url: string,
  document: TypedDocumentNode<T, V>,
  variables: V,
  options: { files?: Record<string, UploadFile>; headers?: Record<string, string> } = {},
): Promise<GraphQLResult<T>> {
  const query = print(document);
  const headers: Record<string, string> = { ...options.headers };
  let body: BodyInit;
  if (options.files && Object.keys(options.files).length > 0) {
    const form = new FormData();
    const vars = structuredClone(variables) as Record<string, unknown>;
    const map: Record<string, string[]> = {};
    Object.keys(options.files).forEach((p, i) => {
      setPath(vars, p, null);
      map[String(i)] = [`variables.${p}`];
    });
    form.append('operations', JSON.stringify({ query, variables: vars }));
    form.append('map', JSON.stringify(map));
    Object.values(options.files).forEach((f, i) => {
      form.append(
        String(i),
        new Blob([new Uint8Array(f.bytes)], { type: f.type ?? 'application/octet-stream' }),
        f.filename,
      );
    });
    body = form;
    headers['apollo-require-preflight'] ??= 'true';
  } else {
    body = JSON.stringify({ query, variables });
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(`${url}/graphql`, { method: 'POST', body, headers });
  const text = await res.text();
  let json: { data?: T; errors?: GraphQLResult<T>['errors'] } = {};
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    json = { errors: [{ message: `non-JSON response: ${text.slice(0, 200)}` }] };
  }
  return { status: res.status, headers: res.headers, data: json.data, errors: json.errors };
}

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let node: Record<string, unknown> = target;
  for (const part of parts.slice(0, -1)) node = node[part] as Record<string, unknown>;
  node[parts[parts.length - 1]!] = value;
}

export function codes(result: GraphQLResult<unknown>): string[] {
  return (result.errors ?? []).map((e) => String(e.extensions?.code));
}
