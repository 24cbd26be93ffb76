import { AppError, ErrorCode } from '../../errors.js';

/** Scroll cursors: the last id returned, opaque to clients. */

export function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(cursor) || cursor.length === 0) {
    throw new AppError(ErrorCode.BAD_USER_INPUT, 'invalid scroll cursor');
  }
  return Buffer.from(cursor, 'base64url').toString('utf8');
}
