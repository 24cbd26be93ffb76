import fs from 'node:fs';
import { AppError, ErrorCode, isAppError } from '../../errors.js';

/**
 * SQLite and file-system failures of the embedded store, as STORE_UNAVAILABLE with a message that says
 * what the operator can do. SQLite codes come from better-sqlite3's SqliteError (`code`, e.g.
 * SQLITE_IOERR_WRITE); file-system ones from Node (`code`, e.g. ENOSPC).
 */

function reason(code: string, file: string, busyTimeoutMs: number): string | undefined {
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
    return `the database ${file} stayed locked by another process for ${busyTimeoutMs} ms; retry later`;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EFBIG' || code === 'SQLITE_IOERR_WRITE')
    // A short write: SQLite says FULL for ENOSPC and IOERR_WRITE for the rest (EFBIG, EIO).
    return `could not write ${file}: no space left (disk full or file size limit) or failing storage; free space and retry`;
  if (code === 'SQLITE_READONLY_DBMOVED') return movedError(file).message;
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS')
    return `the database ${file} cannot be written (read-only file, directory or file system)`;
  if (code.startsWith('SQLITE_IOERR') || code === 'EIO')
    return `I/O error on the database ${file} (disk full, file size limit or failing storage)`;
  if (code.startsWith('SQLITE_CANTOPEN') || ['EACCES', 'EPERM', 'ENOENT', 'ENOTDIR'].includes(code))
    return `cannot open or access the database ${file}: check that its directory exists and is readable and writable`;
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')
    return `the database ${file} is damaged or not a visem database`;
  return undefined;
}

export function storeError(e: unknown, file: string, busyTimeoutMs: number): AppError {
  if (isAppError(e)) return e;
  const err = e as Error & { code?: unknown };
  const code = typeof err.code === 'string' ? err.code : '';
  const why = reason(code, file, busyTimeoutMs) ?? 'embedded store failed';
  return new AppError(
    ErrorCode.STORE_UNAVAILABLE,
    `${why} (${err.message})`,
    { storeCode: code || undefined, file },
    { cause: e },
  );
}

/** Device and inode of the database file: a change means it was replaced under the open connection. */
export function fileIdentity(file: string): string {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  return st ? `${st.dev}:${st.ino}` : 'missing';
}

export function movedError(file: string): AppError {
  return new AppError(
    ErrorCode.STORE_UNAVAILABLE,
    `the database file ${file} was moved, replaced or deleted while open; put it back or restart`,
    { file },
  );
}
