/**
 * Measures the fixed-weight blend of a trained MLP head and the ImageNet ConSE head, per image:
 * normalise((1 − w)·mlp + w·conse), for w in {0, 0.25, 0.5, 0.75, 1}, on (1) the emoji zero-shot
 * protocol (the MLP must be the protocol run, trained on seen concepts only) and (2) the held-out photos.
 * The weights are fixed in advance, not tuned on either set.
 *   node dist/scripts/blend-experiment.js [mlpHeadDir] [conseHeadDir]
 */
import path from 'node:path';
import { evaluateItems, metricsRows } from '../src/eval/evaluate-items.js';
import { evaluatePhotos, loadPhotoSet, photoItems, photoRows } from '../src/eval/photo-eval.js';
import { OnnxRuntime } from '../src/models/onnx-runtime.js';
import { ProjectionHead } from '../src/models/projection-head.js';
import { loadLabelledFeatures } from '../src/services/training.service.js';
import { datasetFeatures } from '../src/training/dataset-features.js';
import { normalizeInPlace } from '../src/vectors.js';

const mlpDir = path.resolve(process.argv[2] ?? '.cache/head-efficientnet-lite2-mlp-zeroshot');
const conseDir = path.resolve(process.argv[3] ?? 'models/head-efficientnet-lite2');
const encoderDir = path.resolve('models/efficientnet-lite2');
const cacheDir = path.resolve('.cache/features');
const WEIGHTS = [0, 0.25, 0.5, 0.75, 1];

const runtime = new OnnxRuntime({ provider: 'cpu', intraOpThreads: 0 });
const [mlp, conse] = [
  await ProjectionHead.load(mlpDir, runtime),
  await ProjectionHead.load(conseDir, runtime),
];
const blend = async (features: Float32Array[], w: number) => {
  const [a, b] = [await mlp.project(features), await conse.project(features)];
  return a.map((v, i) => normalizeInPlace(v.map((x, j) => (1 - w) * x + w * b[i]![j]!)));
};

const { space, data } = await loadLabelledFeatures(
  { images: '.cache/dataset/default.json', encoderDir, cacheDir },
  () => undefined,
);
const photos = await loadPhotoSet(path.resolve('test/fixtures/photos/photos.json'));
const photoData = await datasetFeatures(photoItems(photos), { encoderDir, cacheDir });
for (const w of WEIGHTS) {
  const name = `blend w=${w}`;
  const predictions = new Map((await blend(data.features, w)).map((p, i) => [i, p]));
  const emoji = evaluateItems(data.items, predictions, space.labels, (l) => space.labelVector(l));
  const photo = evaluatePhotos({
    predictions: await blend(photoData.features, w),
    photos,
    labels: space.labels,
    vectorOf: (l) => space.labelVector(l),
  });
  for (const row of [...metricsRows(name, emoji.report).slice(0, 1), ...photoRows(name, photo)])
    process.stdout.write(`${row.join('\t')}\n`);
}
await runtime.release();
