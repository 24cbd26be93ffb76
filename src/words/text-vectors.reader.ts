import { AppError, ErrorCode } from '../errors.js';
import { openChunkedReader, parseNumber, type ChunkedFile } from './bytes.js';
import type { ReadOptions, WordVectorEntry, WordVectorReader } from './types.js';

/**
 * Reads word2vec/fastText `.vec` text ("count dim" header line, then "word v1 … vd") and GloVe text
 * (no header). A first line of exactly two non-negative integers is taken as a header; otherwise
 * the dimension is the first line's token count minus one. Because some GloVe releases contain
 * words with spaces, the vector is always the last `dimension` tokens and the word is the rest.
 */

const NL = 0x0a;
const HEADER = /^\s*(\d+)\s+(\d+)\s*$/;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d;
}

export class TextVectorsReader implements WordVectorReader {
  format: 'word2vec-text' | 'glove-text' = 'glove-text';
  dimension = 0;
  total: number | undefined;
  private used = false;
  private starts = new Int32Array(1024);
  private ends = new Int32Array(1024);

  constructor(
    private readonly file: ChunkedFile,
    private readonly path: string,
    private readonly options: ReadOptions,
  ) {}

  /** Looks at the first line to detect the header and the dimension; consumes only a header line. */
  async readHeader(): Promise<void> {
    let nl = this.file.buf.indexOf(NL, this.file.pos);
    while (nl === -1 && (await this.file.more())) nl = this.file.buf.indexOf(NL, this.file.pos);
    const end = nl === -1 ? this.file.buf.length : nl;
    const first = this.file.buf.toString('utf8', this.file.pos, end);
    const header = HEADER.exec(first);
    if (header) {
      this.format = 'word2vec-text';
      this.total = Number(header[1]);
      this.dimension = Number(header[2]);
      this.file.pos = nl === -1 ? end : nl + 1;
      return;
    }
    const tokens = this.tokenize(this.file.buf, this.file.pos, end);
    if (tokens < 2) throw this.error(1, 'expected "word v1 v2 …" or a "count dim" header');
    this.dimension = tokens - 1;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<WordVectorEntry> {
    if (this.used) throw new Error('TextVectorsReader is single-pass; open the file again');
    this.used = true;
    const limit = this.options.limit ?? Infinity;
    const lineOffset = this.format === 'word2vec-text' ? 2 : 1;
    let rank = 0;
    try {
      for (;;) {
        const { buf } = this.file;
        let nl = buf.indexOf(NL, this.file.pos);
        if (nl === -1) {
          if (await this.file.more()) continue;
          if (this.file.pos >= this.file.buf.length) {
            this.file.finish(true);
            return;
          }
          nl = this.file.buf.length; // last line without a newline
        }
        const start = this.file.pos;
        this.file.pos = Math.min(nl + 1, this.file.buf.length);
        const entry = this.parseLine(this.file.buf, start, nl, rank, rank + lineOffset);
        if (!entry) continue; // blank line
        if (rank >= limit) {
          this.file.finish(false);
          return;
        }
        yield entry;
        rank++;
      }
    } finally {
      await this.file.close();
    }
  }

  private parseLine(
    buf: Buffer,
    start: number,
    end: number,
    rank: number,
    line: number,
  ): WordVectorEntry | undefined {
    const n = this.tokenize(buf, start, end);
    if (n === 0) return undefined;
    const dim = this.dimension;
    if (n < dim + 1) throw this.error(line, `expected a word and ${dim} numbers, got ${n} tokens`);
    const vector = new Float32Array(dim);
    const first = n - dim;
    for (let k = 0; k < dim; k++)
      vector[k] = parseNumber(buf, this.starts[first + k] ?? 0, this.ends[first + k] ?? 0);
    const word = buf.toString('utf8', this.starts[0], this.ends[first - 1]);
    return { word, vector, rank };
  }

  /** Splits buf[start, end) on spaces/tabs into this.starts/this.ends; returns the token count. */
  private tokenize(buf: Buffer, start: number, end: number): number {
    let n = 0;
    let i = start;
    while (i < end) {
      while (i < end && isSpace(buf[i]!)) i++;
      if (i >= end) break;
      const s = i;
      while (i < end && !isSpace(buf[i]!)) i++;
      if (n === this.starts.length) this.grow();
      this.starts[n] = s;
      this.ends[n] = i;
      n++;
    }
    return n;
  }

  private grow(): void {
    const starts = new Int32Array(this.starts.length * 2);
    const ends = new Int32Array(this.ends.length * 2);
    starts.set(this.starts);
    ends.set(this.ends);
    this.starts = starts;
    this.ends = ends;
  }

  private error(line: number, what: string): AppError {
    return new AppError(ErrorCode.BAD_USER_INPUT, `${this.path}:${line}: ${what}`);
  }
}

/** Opens a text vector file and detects its flavour, so `format`, `dimension` and `total` are set. */
export async function openTextVectors(path: string, options: ReadOptions = {}): Promise<TextVectorsReader> {
  return openChunkedReader(path, options, (file) => new TextVectorsReader(file, path, options));
}
