import { describe, expect, it } from 'vitest';
import { AppError, ErrorCode } from '../errors.js';
import { movedError, storeError } from '../store/embedded/store-errors.js';
import { formatError, withoutPaths } from './errors.js';

// Resolver errors arrive wrapped; formatError unwraps them first, so the bare error stands in here.
const format = (error: unknown, production: boolean) =>
  formatError({ message: String(error), extensions: {} }, error, production);

describe('formatError', () => {
  const file = '/srv/visem/data/store/visem.db';

  it('in production, the store-moved error says what happened without the server path', () => {
    const prod = format(movedError(file), true);
    expect(prod.message).toBe('the vector store is unavailable; retry later');
    expect(prod.extensions).toEqual({ code: 'STORE_UNAVAILABLE' });
    expect(JSON.stringify(prod)).not.toContain('/srv');
    // Development keeps the operator's message.
    expect(format(movedError(file), false).message).toContain(file);
  });

  it('in production, no store, model or config message carries a path, nor its details', () => {
    const errors = [
      storeError(Object.assign(new Error(`disk I/O error at ${file}`), { code: 'SQLITE_IOERR' }), file, 5000),
      new AppError(ErrorCode.MODEL_UNAVAILABLE, `model file missing: ${file}`, { path: file }),
      new AppError(ErrorCode.CONFIG_INVALID, `cannot read ${file}`),
    ];
    for (const e of errors) expect(JSON.stringify(format(e, true))).not.toContain('/srv');
  });

  it('request errors keep their message, with any absolute path removed in production', () => {
    const e = new AppError(ErrorCode.UNSUPPORTED_IMAGE, `Input file is missing: /tmp/upload-123/a.png`);
    expect(format(e, true).message).toBe('Input file is missing: <path>');
    expect(format(e, false).message).toContain('/tmp/upload-123/a.png');
  });

  it('withoutPaths removes absolute paths only', () => {
    expect(withoutPaths('at /a/b.c:3 and "/x y" (/z) ok/rel 1/2 https://h.example/p')).toBe(
      'at <path>:3 and "<path> y" (<path>) ok/rel 1/2 https://h.example/p',
    );
  });
});
