import { describe, expect, it } from 'vitest';
import { decodeOffsetCursor, decodeScrollCursor, offsetCursor, scrollCursor } from './cursor.js';

describe('cursors', () => {
  it('an offset cursor resumes after the item it names', () => {
    expect(decodeOffsetCursor(undefined)).toBe(0);
    expect(decodeOffsetCursor(offsetCursor(0))).toBe(1);
    expect(decodeOffsetCursor(offsetCursor(41))).toBe(42);
  });
  it('rejects cursors that were not made here', () => {
    expect(() => decodeOffsetCursor('bm9wZQ')).toThrow('invalid cursor');
    expect(() => decodeOffsetCursor(scrollCursor('x'))).toThrow('invalid cursor');
    expect(() => decodeScrollCursor(offsetCursor(3))).toThrow('invalid cursor');
    expect(decodeScrollCursor(scrollCursor('abc'))).toBe('abc');
  });
});
