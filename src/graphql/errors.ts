import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ErrorCode, isAppError } from '../errors.js';

/** Details safe to show a client; internals (paths, causes) never leave the server. */
const PUBLIC_DETAILS = new Set([
  'argument',
  'min',
  'max',
  'words',
  'suggestions',
  'format',
  'supported',
  'width',
  'height',
  'maxPixels',
  'maxSide',
  'pages',
  'maxBytes',
  'retryAfter',
  'id',
]);

/**
 * Codes about the server's own state rather than the request. Their messages name files, directories and
 * hosts for the operator (the server logs them); in production a client gets these lines instead.
 */
const OPERATOR_MESSAGES: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.STORE_UNAVAILABLE]: 'the vector store is unavailable; retry later',
  [ErrorCode.STORE_MISCONFIGURED]: 'the vector store is misconfigured; the server log says how',
  [ErrorCode.STORE_MODEL_MISMATCH]: 'the stored vectors were made by other models; the server log says how',
  [ErrorCode.DIMENSION_MISMATCH]: 'the stored vectors do not match the models; the server log says how',
  [ErrorCode.MODEL_UNAVAILABLE]: 'a model is unavailable; the server log says which',
  [ErrorCode.CONFIG_INVALID]: 'the server is misconfigured; the server log says how',
};

/** Whether an error is about the server rather than the request (the operator should see it). */
export function isOperatorError(code: string): boolean {
  return code in OPERATOR_MESSAGES;
}

/** Absolute paths in a message, as `<path>`: defence in depth for messages that quote a library. */
export function withoutPaths(message: string): string {
  return message.replace(/(^|[\s'"(=])(?:\/[^\s'"(),:]+)+/g, '$1<path>');
}

/**
 * AppError → a GraphQL error whose extensions.code is its code. Anything else that is not a GraphQL
 * request error is masked in production as INTERNAL_SERVER_ERROR. In production no message carries a
 * server path: operator errors get a fixed line, the rest lose any absolute path.
 */
export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
  production: boolean,
): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (isAppError(original)) {
    const extensions: Record<string, unknown> = { code: original.code };
    for (const [k, v] of Object.entries(original.details)) if (PUBLIC_DETAILS.has(k)) extensions[k] = v;
    const message = production
      ? (OPERATOR_MESSAGES[original.code] ?? withoutPaths(original.message))
      : original.message;
    return {
      message,
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions,
    };
  }
  const code = formatted.extensions?.code;
  const known = typeof code === 'string' && code !== ErrorCode.INTERNAL;
  if (known || !production) return formatted;
  return { message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL } };
}

export function isGraphQLError(e: unknown): e is GraphQLError {
  return e instanceof GraphQLError;
}
