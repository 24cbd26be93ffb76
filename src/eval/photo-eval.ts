import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { LabelledImage } from '../training/labelled-images.js';
import { percent } from './evaluate-items.js';
import { averagePrecision, scoreRows, topK, vectorMatrix, type VectorMatrix } from './ranking.js';

/**
 * The held-out photograph set (test/fixtures/photos/photos.json): real photos from packages, each with
 * the words a person accepts as a tag or search word. Never used for training or tuning.
 */
const photoSetSchema = z.object({
  purpose: z.string(),
  photos: z
    .array(
      z.object({
        file: z.string(),
        words: z.array(z.string().min(1)).min(1),
        imagenet: z
          .array(z.object({ index: z.number().int().min(0).max(999), name: z.string() }))
          .default([]),
        /** sure: the class is certain; likely: the nearest plausible class (a species ImageNet lacks). */
        imagenet_certainty: z.enum(['sure', 'likely']).optional(),
      }),
    )
    .min(1),
});

export interface Photo {
  /** Absolute path. */
  file: string;
  words: string[];
  imagenet: { index: number; name: string }[];
  imagenetCertainty?: 'sure' | 'likely';
}

export async function loadPhotoSet(manifestFile: string): Promise<Photo[]> {
  const parsed = photoSetSchema.parse(JSON.parse(await readFile(manifestFile, 'utf8')));
  const dir = path.dirname(manifestFile);
  return parsed.photos.map(({ imagenet_certainty, ...p }) => ({
    ...p,
    ...(imagenet_certainty ? { imagenetCertainty: imagenet_certainty } : {}),
    file: path.resolve(dir, p.file),
    words: p.words.map((w) => w.toLowerCase()),
  }));
}

/** The photos as labelled images, so they go through the same feature cache as training data. */
export function photoItems(photos: readonly Photo[]): LabelledImage[] {
  return photos.map((p) => ({ path: p.file, label: p.words[0]!, concept: p.words[0]!, words: p.words }));
}

export interface PhotoReport {
  photos: number;
  /** Tags from the whole label vocabulary: an accepted word among the top k. */
  openVocabulary: { '@1': number; '@5': number; '@10': number };
  /** Against the set's own words only (the closed, "unseen labels" setting). */
  setLabels: { '@1': number; '@5': number };
  /** Each accepted word that has a vector, as a query over the photos. */
  wordsToImages: { queries: number; hitAt5: number; meanAveragePrecision: number };
}

export interface PhotoEvalInput {
  /** Per photo, the head's unit prediction in word space, in the order of `photos`. */
  predictions: readonly Float32Array[];
  photos: readonly Photo[];
  /** The tag vocabulary classify ranks (the server's labels). */
  labels: readonly string[];
  vectorOf: (word: string) => Float32Array | undefined;
}

/** The set's accepted words that have a vector, sorted: the text queries. */
export function queryWordsOf(
  photos: readonly Photo[],
  vectorOf: (w: string) => Float32Array | undefined,
): string[] {
  return [...new Set(photos.flatMap((p) => p.words))].filter((w) => vectorOf(w)).sort();
}

/** The label words that have a vector, as one matrix (the tag vocabulary classify ranks). */
export function labelMatrix(
  labels: readonly string[],
  vectorOf: (w: string) => Float32Array | undefined,
): VectorMatrix {
  return vectorMatrix(
    labels.flatMap((l) => {
      const v = vectorOf(l);
      return v ? [{ key: l, vector: v }] : [];
    }),
  );
}

/** Tag hit rates and words→images retrieval on the photo set. */
export function evaluatePhotos(input: PhotoEvalInput): PhotoReport {
  const { photos, predictions } = input;
  const vocab = labelMatrix(input.labels, input.vectorOf);
  const setWords = queryWordsOf(photos, input.vectorOf);
  const setMatrix = vectorMatrix(setWords.map((w) => ({ key: w, vector: input.vectorOf(w)! })));
  const open = { '@1': 0, '@5': 0, '@10': 0 };
  const closed = { '@1': 0, '@5': 0 };
  predictions.forEach((prediction, i) => {
    const accepted = new Set(photos[i]!.words);
    const tags = topK(scoreRows(prediction, vocab), 10).map((r) => vocab.keys[r]!);
    const firstHit = tags.findIndex((t) => accepted.has(t));
    for (const k of [1, 5, 10] as const) if (firstHit >= 0 && firstHit < k) open[`@${k}`]++;
    const setTags = topK(scoreRows(prediction, setMatrix), 5).map((r) => setMatrix.keys[r]!);
    const setHit = setTags.findIndex((t) => accepted.has(t));
    for (const k of [1, 5] as const) if (setHit >= 0 && setHit < k) closed[`@${k}`]++;
  });
  const images = vectorMatrix(predictions.map((p, i) => ({ key: String(i), vector: p })));
  let hits = 0;
  let apSum = 0;
  for (const word of setWords) {
    const scores = scoreRows(input.vectorOf(word)!, images);
    const relevant = photos.map((p) => p.words.includes(word));
    if (topK(scores, 5).some((r) => relevant[r])) hits++;
    apSum += averagePrecision(scores, relevant);
  }
  const n = predictions.length;
  const rate = <K extends string>(counts: Record<K, number>) =>
    Object.fromEntries(Object.entries<number>(counts).map(([k, v]) => [k, v / n])) as Record<K, number>;
  return {
    photos: n,
    openVocabulary: rate(open),
    setLabels: rate(closed),
    wordsToImages: {
      queries: setWords.length,
      hitAt5: setWords.length ? hits / setWords.length : 0,
      meanAveragePrecision: setWords.length ? apSum / setWords.length : 0,
    },
  };
}

/** Rows for the eval table, in the CLI's METRICS_HEADER columns. */
export function photoRows(name: string, r: PhotoReport): string[][] {
  return [
    [
      name,
      'photos: open vocabulary',
      String(r.photos),
      percent(r.openVocabulary['@1']),
      percent(r.openVocabulary['@5']),
      percent(r.openVocabulary['@10']),
    ],
    [
      name,
      "photos: the set's labels",
      String(r.photos),
      percent(r.setLabels['@1']),
      percent(r.setLabels['@5']),
      '',
    ],
    [
      name,
      'photos: words→images hit@5 / mAP',
      String(r.wordsToImages.queries),
      percent(r.wordsToImages.hitAt5),
      percent(r.wordsToImages.meanAveragePrecision),
      '',
    ],
  ];
}
