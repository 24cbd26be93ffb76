/**
 * Every failure a user can cause or meet has a code. Resolvers turn AppError into a GraphQL error whose
 * `extensions.code` is this code; the CLI prints the message and exits non-zero.
 */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNSUPPORTED_IMAGE: 'UNSUPPORTED_IMAGE',
  IMAGE_TOO_LARGE: 'IMAGE_TOO_LARGE',
  TOO_MANY_FILES: 'TOO_MANY_FILES',
  UNKNOWN_WORD: 'UNKNOWN_WORD',
  NOT_FOUND: 'NOT_FOUND',
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  STORE_MISCONFIGURED: 'STORE_MISCONFIGURED',
  DIMENSION_MISMATCH: 'DIMENSION_MISMATCH',
  /** The store's vectors were written by other models than the ones loaded (see `visem reindex`). */
  STORE_MODEL_MISMATCH: 'STORE_MODEL_MISMATCH',
  MODEL_UNAVAILABLE: 'MODEL_UNAVAILABLE',
  SERVER_BUSY: 'SERVER_BUSY',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  CONFIG_INVALID: 'CONFIG_INVALID',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
