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
 * AppError → a GraphQL error whose extensions.code is its code. Anything else that is not a GraphQL
 * request error is masked in production as INTERNAL_SERVER_ERROR.
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
    return {
      message: original.message,
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
