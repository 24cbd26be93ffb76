import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ProgressCallback, ReadOptions } from './types.js';

const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22,
];

/**
 * Parses an ASCII decimal number in buf[start, end). Avoids a string allocation per number, which is
 * what makes 34M numbers cheap. With ≤15 significant digits and |exponent| ≤ 22, one exact integer
 * times/over an exact power of ten is correctly rounded, i.e. identical to parseFloat; anything else
 * falls back to Number().
 */
export function parseNumber(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  let neg = false;
  let c = buf[i];
  if (c === 0x2d) {
    neg = true;
    c = buf[++i];
  } else if (c === 0x2b) c = buf[++i];
  let mant = 0;
  let digits = 0;
  let scale = 0;
  let any = false;
  while (i < end && (c = buf[i]!) >= 0x30 && c <= 0x39) {
    if (mant !== 0 || c !== 0x30) digits++;
    mant = mant * 10 + (c - 0x30);
    any = true;
    i++;
  }
  if (i < end && buf[i] === 0x2e) {
    i++;
    while (i < end && (c = buf[i]!) >= 0x30 && c <= 0x39) {
      if (mant !== 0 || c !== 0x30) digits++;
      mant = mant * 10 + (c - 0x30);
      scale--;
      any = true;
      i++;
    }
  }
  if (i < end && (buf[i] === 0x65 || buf[i] === 0x45)) {
    i++;
    let eneg = false;
    if (buf[i] === 0x2d) {
      eneg = true;
      i++;
    } else if (buf[i] === 0x2b) i++;
    let e = 0;
    while (i < end && (c = buf[i]!) >= 0x30 && c <= 0x39) {
      e = e * 10 + (c - 0x30);
      i++;
    }
    scale += eneg ? -e : e;
  }
  if (!any || i !== end || digits > 15 || scale > 22 || scale < -22) return slowNumber(buf, start, end);
  const v = scale < 0 ? mant / POW10[-scale]! : mant * POW10[scale]!;
  return neg ? -v : v;
}

function slowNumber(buf: Uint8Array, start: number, end: number): number {
  const s = Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1');
  const v = Number(s);
  if (s.trim() === '' || Number.isNaN(v)) {
    if (/^[+-]?nan$/i.test(s)) return NaN;
    throw new Error(`not a number: ${JSON.stringify(s.slice(0, 40))}`);
  }
  return v;
}

/**
 * A growable window over a file read in chunks. Parsers work on `buf` from `pos`; when they run out
 * of bytes mid-item they call `more()`, which keeps the unconsumed tail and appends the next chunk.
 */
export class ChunkedFile {
  buf: Buffer = Buffer.alloc(0);
  pos = 0;
  /** Bytes of the file before buf[0]. */
  base = 0;
  eof = false;
  private readonly chunks: AsyncIterator<Buffer>;
  private lastReport = 0;

  private constructor(
    stream: AsyncIterable<Buffer>,
    readonly size: number,
    private readonly onProgress: ProgressCallback | undefined,
  ) {
    this.chunks = stream[Symbol.asyncIterator]();
  }

  static async open(path: string, chunkSize = 4 << 20, onProgress?: ProgressCallback): Promise<ChunkedFile> {
    const { size } = await stat(path);
    return new ChunkedFile(createReadStream(path, { highWaterMark: chunkSize }), size, onProgress);
  }

  /** Appends the next chunk; false at end of file. */
  async more(): Promise<boolean> {
    if (this.eof) return false;
    const next = await this.chunks.next();
    if (next.done) {
      this.eof = true;
      this.report(true);
      return false;
    }
    const rest = this.buf.subarray(this.pos);
    this.base += this.pos;
    this.buf = rest.length === 0 ? next.value : Buffer.concat([rest, next.value]);
    this.pos = 0;
    this.report(false);
    return true;
  }

  get offset(): number {
    return this.base + this.pos;
  }

  /** Final progress report: the whole file when parsing completed, else how far it got. */
  finish(complete: boolean): void {
    const done = complete ? this.size : this.offset;
    if (this.onProgress && done > this.lastReport) this.onProgress((this.lastReport = done), this.size);
  }

  async close(): Promise<void> {
    await this.chunks.return?.();
  }

  private report(final: boolean): void {
    if (!this.onProgress) return;
    const done = final ? this.size : this.base;
    // Chunks are a few MB; reporting each one is cheap but keep it monotonic.
    if (done >= this.lastReport) {
      this.lastReport = done;
      this.onProgress(done, this.size);
    }
  }
}

/**
 * Opens `path` in chunks and has the reader parse its header, so the reader's shape (`dimension`,
 * `total`, …) is known; the file is closed again when the header is bad.
 */
export async function openChunkedReader<R extends { readHeader(): Promise<void> }>(
  path: string,
  options: ReadOptions,
  make: (file: ChunkedFile) => R,
): Promise<R> {
  const file = await ChunkedFile.open(path, options.chunkSize, options.onProgress);
  const reader = make(file);
  try {
    await reader.readHeader();
  } catch (e) {
    await file.close();
    throw e;
  }
  return reader;
}
