import { createHash } from 'node:crypto';
import { mkdir, open, readFile, stat, truncate, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Encoder features on disk, keyed by (encoder sha256, image content sha256), so retraining skips the
 * CNN and an interrupted run resumes where it stopped. Layout under `<root>/<encoderSha>/`:
 *   features.f32  append-only float32 records of `dimension` values
 *   index.jsonl   append-only lines {"sha": "<content sha256>", "row": n}
 * A record is appended (and flushed) before its index line, so a crash leaves at most an orphan
 * record or a torn last line; both are repaired on open. One writer process at a time.
 */
export class FeatureCache {
  private constructor(
    readonly dir: string,
    readonly dimension: number,
    private readonly rows: Map<string, number>,
    private data: Float32Array,
    private count: number,
    private readonly featuresFile: FileHandle,
    private readonly indexFile: FileHandle,
  ) {}

  static async open(root: string, encoderSha256: string, dimension: number): Promise<FeatureCache> {
    if (!/^[0-9a-f]{16,64}$/.test(encoderSha256)) throw new Error(`bad encoder id: ${encoderSha256}`);
    const dir = path.join(root, encoderSha256);
    await mkdir(dir, { recursive: true });
    const featuresPath = path.join(dir, 'features.f32');
    const indexPath = path.join(dir, 'index.jsonl');
    const recordBytes = dimension * 4;
    const size = await stat(featuresPath).then(
      (s) => s.size,
      () => 0,
    );
    const count = Math.floor(size / recordBytes);
    // A torn final record (crash mid-write) is cut off.
    if (size !== count * recordBytes) await truncate(featuresPath, count * recordBytes);
    const bytes = count > 0 ? await readFile(featuresPath) : Buffer.alloc(0);
    const data = new Float32Array(Math.max(count * 2, 64) * dimension);
    new Uint8Array(data.buffer).set(bytes.subarray(0, count * recordBytes));

    const rows = new Map<string, number>();
    const index = await readFile(indexPath, 'utf8').catch(() => '');
    let validText = '';
    for (const line of index.split('\n')) {
      if (line === '') continue;
      let entry: { sha?: unknown; row?: unknown };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        break; // torn last line
      }
      if (typeof entry.sha !== 'string' || typeof entry.row !== 'number' || entry.row >= count) break;
      rows.set(entry.sha, entry.row);
      validText += `${line}\n`;
    }
    if (validText.length !== index.length) {
      await truncate(indexPath, Buffer.byteLength(validText)).catch(() => undefined);
    }
    const featuresFile = await open(featuresPath, 'a');
    const indexFile = await open(indexPath, 'a');
    return new FeatureCache(dir, dimension, rows, data, count, featuresFile, indexFile);
  }

  get size(): number {
    return this.rows.size;
  }

  has(contentSha: string): boolean {
    return this.rows.has(contentSha);
  }

  /** A copy of the cached vector, or undefined. */
  get(contentSha: string): Float32Array | undefined {
    const row = this.rows.get(contentSha);
    if (row === undefined) return undefined;
    return this.data.slice(row * this.dimension, (row + 1) * this.dimension);
  }

  /** Appends vectors not already cached; one flush for the records, then one for their index lines. */
  async putMany(entries: readonly { sha: string; vector: Float32Array }[]): Promise<void> {
    const fresh: { sha: string; vector: Float32Array }[] = [];
    const seen = new Set<string>();
    for (const e of entries) {
      if (this.rows.has(e.sha) || seen.has(e.sha)) continue;
      seen.add(e.sha);
      fresh.push(e);
    }
    if (fresh.length === 0) return;
    const block = new Float32Array(fresh.length * this.dimension);
    fresh.forEach((e, i) => {
      if (e.vector.length !== this.dimension)
        throw new Error(`expected ${this.dimension} values, got ${e.vector.length}`);
      block.set(e.vector, i * this.dimension);
    });
    await this.featuresFile.write(new Uint8Array(block.buffer));
    await this.featuresFile.datasync();
    const first = this.count;
    const lines = fresh.map((e, i) => `${JSON.stringify({ sha: e.sha, row: first + i })}\n`).join('');
    await this.indexFile.write(lines);
    await this.indexFile.datasync();
    this.ensureCapacity(first + fresh.length);
    this.data.set(block, first * this.dimension);
    fresh.forEach((e, i) => this.rows.set(e.sha, first + i));
    this.count += fresh.length;
  }

  async close(): Promise<void> {
    await Promise.all([this.featuresFile.close(), this.indexFile.close()]);
  }

  private ensureCapacity(rows: number): void {
    if (rows * this.dimension <= this.data.length) return;
    const grown = new Float32Array(Math.max(rows, this.count * 2) * this.dimension);
    grown.set(this.data.subarray(0, this.count * this.dimension));
    this.data = grown;
  }
}
