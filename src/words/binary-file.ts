import type { FileHandle } from 'node:fs/promises';

/** Little-endian buffered reads over a FileHandle, for fastText's C++ `in.read()` stream layout. */
export class BinaryFile {
  private buf: Buffer = Buffer.alloc(1 << 20);
  private start = 0;
  private end = 0;
  /** File offset of buf[start]. */
  position = 0;

  constructor(private readonly fh: FileHandle) {}

  /** Makes at least n bytes available; throws at end of file. */
  async ensure(n: number): Promise<void> {
    if (this.end - this.start >= n) return;
    const have = this.end - this.start;
    if (n > this.buf.length) {
      const bigger = Buffer.alloc(Math.max(n, this.buf.length * 2));
      this.buf.copy(bigger, 0, this.start, this.end);
      this.buf = bigger;
    } else this.buf.copy(this.buf, 0, this.start, this.end);
    this.start = 0;
    this.end = have;
    while (this.end < n) {
      const { bytesRead } = await this.fh.read(
        this.buf,
        this.end,
        this.buf.length - this.end,
        this.position + this.end,
      );
      if (bytesRead === 0) throw new Error(`unexpected end of file at byte ${this.position + this.end}`);
      this.end += bytesRead;
    }
  }

  private advance(n: number): number {
    const at = this.start;
    this.start += n;
    this.position += n;
    return at;
  }

  async int32(): Promise<number> {
    await this.ensure(4);
    return this.buf.readInt32LE(this.advance(4));
  }

  async int64(): Promise<number> {
    await this.ensure(8);
    const v = this.buf.readBigInt64LE(this.advance(8));
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER))
      throw new Error(`int64 ${v} out of range`);
    return Number(v);
  }

  async float64(): Promise<number> {
    await this.ensure(8);
    return this.buf.readDoubleLE(this.advance(8));
  }

  async uint8(): Promise<number> {
    await this.ensure(1);
    return this.buf[this.advance(1)]!;
  }

  /** A NUL-terminated UTF-8 string. */
  async cstring(): Promise<string> {
    for (;;) {
      const nul = this.buf.indexOf(0, this.start);
      if (nul !== -1 && nul < this.end) {
        const s = this.buf.toString('utf8', this.start, nul);
        this.advance(nul - this.start + 1);
        return s;
      }
      await this.ensure(this.end - this.start + 1);
    }
  }

  /** Fills target from the current position, bypassing the buffer for the bulk of it. */
  async readInto(target: Uint8Array, onChunk?: (done: number) => void): Promise<void> {
    const buffered = Math.min(this.end - this.start, target.length);
    target.set(this.buf.subarray(this.start, this.start + buffered));
    this.advance(buffered);
    let done = buffered;
    const step = 64 << 20;
    while (done < target.length) {
      const len = Math.min(step, target.length - done);
      const { bytesRead } = await this.fh.read(target, done, len, this.position);
      if (bytesRead === 0) throw new Error(`unexpected end of file at byte ${this.position}`);
      done += bytesRead;
      this.start = this.end = 0;
      this.position += bytesRead;
      onChunk?.(done);
    }
  }

  /** Skips n bytes without reading them. */
  skip(n: number): void {
    const buffered = Math.min(this.end - this.start, n);
    this.advance(buffered);
    this.position += n - buffered;
    if (this.start === this.end) this.start = this.end = 0;
  }
}
