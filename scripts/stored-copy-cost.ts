/**
 * What the stored copy's JPEG encoder costs: mozjpeg against plain libjpeg-turbo, both at quality 90,
 * over the held-out photos, one at a time (time and bytes per photo). The measurement behind the
 * decoder's choice. Run: node dist/scripts/stored-copy-cost.js [folder]
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { packageRoot } from '../src/paths.js';

const folder = process.argv[2] ?? path.join(packageRoot(), 'test', 'fixtures', 'photos');
const photos = readdirSync(folder)
  .filter((f) => /\.jpe?g$/i.test(f))
  .map((f) => readFileSync(path.join(folder, f)));
sharp.concurrency(1);

for (const mozjpeg of [true, false]) {
  let bytes = 0;
  const started = performance.now();
  for (const photo of photos) {
    const out = await sharp(photo)
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 90, mozjpeg })
      .toBuffer();
    bytes += out.length;
  }
  const ms = (performance.now() - started) / photos.length;
  process.stdout.write(
    `${mozjpeg ? 'mozjpeg' : 'libjpeg-turbo'}: ${ms.toFixed(1)} ms and ${Math.round(bytes / photos.length)} bytes a photo (${photos.length} photos)\n`,
  );
}
