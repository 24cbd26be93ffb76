/** What the head experiment scripts share: the word space, the default dataset's features, and its splits. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { splitByConcept, validationSplit } from '../src/eval/split.js';
import { datasetFeatures } from '../src/training/dataset-features.js';
import type { LabelledImage } from '../src/training/labelled-images.js';
import { loadWordSpace } from '../src/training/word-space.js';

/** `DATASET` picks another dataset JSON, `FEATURES` another feature cache (e.g. a copy, while encoding runs). */
export async function loadExperimentData(augment: boolean) {
  const space = await loadWordSpace();
  const items = JSON.parse(
    await readFile(process.env.DATASET ?? '.cache/dataset/default.json', 'utf8'),
  ) as LabelledImage[];
  const data = await datasetFeatures(items, {
    encoderDir: path.resolve('models/inception-v3-mixed6'),
    cacheDir: path.resolve(process.env.FEATURES ?? '.cache/features'),
    augment: augment ? ['flop', 'zoom'] : [],
  });
  const indexed = data.items.map((item, i) => ({ item, feature: data.features[i]!, index: i }));
  const { seen, unseen } = splitByConcept(indexed.map((r) => ({ ...r, concept: r.item.concept })));
  const { train, val } = validationSplit(seen, 0.1);
  return { space, data, indexed, seen, unseen, train, val };
}
