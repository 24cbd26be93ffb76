/**
 * What the stored copies cost, over the held-out photos one at a time: the JPEG encoder for a re-encoded
 * copy (mozjpeg against plain libjpeg-turbo, both at quality 90: time and bytes per photo), then the
 * copy kept as it is less its metadata against re-encoding. The measurements behind the decoder's
 * choices. Run: node dist/scripts/stored-copy-cost.js [folder]
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { ImageDecoder } from '../src/models/image-decoder.js';
import { packageRoot } from '../src/paths.js';
import { DEFAULT_DECODER_LIMITS } from '../src/training/dataset-features.js';

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

// The decoder's two ways to the stored copies (copy + thumbnail), CPU per photo: kept as it is less its
// metadata, or decoded and re-encoded; at the photos' own size and scaled to 12 MP (4000×3000, q92).
const decoder = new ImageDecoder(DEFAULT_DECODER_LIMITS);
const twelveMp = await Promise.all(
  photos
    .slice(0, 8)
    .map((p) => sharp(p).resize(4000, 3000, { fit: 'fill' }).jpeg({ quality: 92 }).toBuffer()),
);
for (const [label, set] of [
  ['held-out photos', photos],
  ['12 MP', twelveMp],
] as const) {
  for (const asIs of [true, false]) {
    const infos = await Promise.all(set.map((p) => decoder.inspect(p)));
    const cpu = process.cpuUsage();
    for (const [i, p] of set.entries())
      await decoder.storedCopies(
        p,
        { ...infos[i]!, displayableAsIs: asIs && infos[i]!.displayableAsIs },
        256,
      );
    const used = process.cpuUsage(cpu);
    process.stdout.write(
      `${label}, ${asIs ? 'kept as is less metadata' : 're-encoded'}: ${((used.user + used.system) / 1000 / set.length).toFixed(1)} ms of CPU a photo for copy + thumbnail\n`,
    );
  }
}
