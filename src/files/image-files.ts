import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

export type ImageVariant = 'original' | 'thumbnail';

const ID = /^[0-9a-f]{64}$/;

/**
 * The stored image files (a web-friendly copy of each original and a JPEG thumbnail) under
 * DATA_DIR/images/<2 hex>/<id>.<variant>. Files are written before the vector-store point that refers to
 * them, by temp file + fsync + rename, so a crash leaves at worst an unreferenced file, never a torn one.
 */
export class ImageFiles {
  constructor(private readonly root: string) {}

  private file(id: string, variant: ImageVariant): string {
    if (!ID.test(id)) throw new Error(`not an image id: ${id}`);
    return path.join(this.root, id.slice(0, 2), `${id}.${variant}`);
  }

  async write(id: string, variant: ImageVariant, bytes: Uint8Array): Promise<void> {
    const target = this.file(id, variant);
    await mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  }

  /** Undefined when missing. */
  async read(id: string, variant: ImageVariant): Promise<Buffer | undefined> {
    try {
      return await readFile(this.file(id, variant));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async exists(id: string, variant: ImageVariant): Promise<boolean> {
    try {
      await stat(this.file(id, variant));
      return true;
    } catch {
      return false;
    }
  }

  async remove(id: string): Promise<void> {
    await Promise.all((['original', 'thumbnail'] as const).map((v) => rm(this.file(id, v), { force: true })));
  }

  static isId(id: string): boolean {
    return ID.test(id);
  }
}
