import { AppError, ErrorCode } from '../errors.js';

/**
 * Opaque Relay cursors. Ranked results page by position in the ranking ("o:<offset>"); listings page by
 * the store's own scroll cursor ("s:<token>").
 */
export function offsetCursor(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

export function decodeOffsetCursor(cursor: string | null | undefined): number {
  if (cursor == null || cursor === '') return 0;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^o:(\d{1,9})$/.exec(text);
  if (!m) throw new AppError(ErrorCode.BAD_USER_INPUT, 'invalid cursor', { argument: 'after' });
  return Number(m[1]) + 1;
}

export function scrollCursor(token: string): string {
  return Buffer.from(`s:${token}`).toString('base64url');
}

export function decodeScrollCursor(cursor: string | null | undefined): string | undefined {
  if (cursor == null || cursor === '') return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith('s:'))
    throw new AppError(ErrorCode.BAD_USER_INPUT, 'invalid cursor', { argument: 'after' });
  return text.slice(2);
}
