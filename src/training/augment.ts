import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { ImageSource } from './encode-images.js';

/**
 * Training-time views of an image, encoded like any other image (the feature cache keys them by the
 * augmented bytes' hash). A small dataset of clip-art overfits a head in a few epochs; mirrored and
 * zoomed views add visual variety without adding concepts.
 */
export type Augmentation = 'flop' | 'zoom';

export async function augmentedBytes(file: string, kind: Augmentation): Promise<Buffer> {
  const bytes = await readFile(file);
  // Flatten first so the transparent margin does not become black when cropped.
  const base = sharp(bytes, { pages: 1 }).flatten({ background: '#ffffff' });
  if (kind === 'flop') return base.flop().png().toBuffer();
  const meta = await sharp(bytes, { pages: 1 }).metadata();
  const w = meta.width ?? 1;
  const h = meta.pageHeight ?? meta.height ?? 1;
  // Centre crop to 80% of each side: a closer view of the object.
  const cw = Math.max(1, Math.round(w * 0.8));
  const ch = Math.max(1, Math.round(h * 0.8));
  const flat = await base.png().toBuffer();
  return sharp(flat)
    .extract({ left: Math.floor((w - cw) / 2), top: Math.floor((h - ch) / 2), width: cw, height: ch })
    .png()
    .toBuffer();
}

export function augmentedSource(file: string, kind: Augmentation): ImageSource {
  return { name: `${file}#${kind}`, read: () => augmentedBytes(file, kind) };
}
