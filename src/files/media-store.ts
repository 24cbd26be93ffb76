import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

export type ImageVariant = 'original' | 'thumbnail';

const ID = /^[0-9a-f]{64}$/;

/** Whether `id` is the shape of an image id (a sha256 in hex). */
export function isImageId(id: string): boolean {
  return ID.test(id);
}

/**
 * Where the stored copy and thumbnail of each image live: the one home of media I/O. Every API replica
 * must reach the same media, so several replicas share one MediaStore (a shared volume for the local one).
 * Files are written before the vector-store point that refers to them, and a write is all or nothing, so
 * a crash leaves at worst an unreferenced file, never a torn one.
 */
export interface MediaStore {
  write(id: string, variant: ImageVariant, bytes: Uint8Array): Promise<void>;
  /** Undefined when missing. */
  read(id: string, variant: ImageVariant): Promise<Buffer | undefined>;
  exists(id: string, variant: ImageVariant): Promise<boolean>;
  /** Removes both variants; missing ones are fine. */
  remove(id: string): Promise<void>;
}

/**
 * Media in a directory (MEDIA_DIR, default DATA_DIR/images) as <2 hex>/<id>.<variant>, written by temp
 * file + fsync + rename. The directory may be a volume shared by several replicas (any filesystem where
 * rename within a directory is atomic: local disks, NFS, CephFS).
 */
export class LocalMediaStore implements MediaStore {
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
}
