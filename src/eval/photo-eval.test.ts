import { describe, expect, it } from 'vitest';
import { headManifestSchema, readManifest } from '../models/manifest.js';
import { packageRoot } from '../paths.js';
import { holdOutWarning } from '../services/eval.service.js';
import { evaluatePhotos, type Photo } from './photo-eval.js';

const v = (...xs: number[]) => Float32Array.from(xs);
const photo = (words: string[]): Photo => ({ file: `/${words[0]}.jpg`, words, imagenet: [] });

describe('evaluatePhotos', () => {
  const vectors: Record<string, Float32Array> = {
    cat: v(1, 0, 0),
    kitten: v(0.9, 0.1, 0),
    dog: v(0, 1, 0),
    car: v(0, 0, 1),
  };
  const input = {
    photos: [photo(['cat', 'kitten']), photo(['dog']), photo(['car'])],
    labels: ['cat', 'kitten', 'dog', 'car'],
    vectorOf: (w: string) => vectors[w],
  };

  it('counts an accepted word among the top tags, and ranks photos for each word', () => {
    // The dog photo's prediction lands on "car": a miss at @1, and "car" retrieves it before the car.
    const r = evaluatePhotos({ ...input, predictions: [v(1, 0.05, 0), v(0, 0.2, 1), v(0.3, 0, 1)] });
    expect(r.photos).toBe(3);
    expect(r.openVocabulary['@1']).toBeCloseTo(2 / 3);
    expect(r.openVocabulary['@5']).toBe(1);
    expect(r.wordsToImages.queries).toBe(4);
    // cat, kitten and dog each find their photo first; car finds the dog photo first, the car second.
    expect(r.wordsToImages.meanAveragePrecision).toBeCloseTo((1 + 1 + 1 + 0.5) / 4);
  });

  it('scores a perfect predictor 1 everywhere and an anti-predictor low', () => {
    const perfect = evaluatePhotos({ ...input, predictions: [vectors.cat!, vectors.dog!, vectors.car!] });
    expect(perfect.openVocabulary['@1']).toBe(1);
    expect(perfect.wordsToImages.meanAveragePrecision).toBe(1);
    const wrong = evaluatePhotos({ ...input, predictions: [vectors.car!, vectors.cat!, vectors.dog!] });
    expect(wrong.openVocabulary['@1']).toBe(0);
    expect(wrong.wordsToImages.hitAt5).toBe(1); // only three photos: every list of five holds all
  });
});

describe('holdOutWarning', () => {
  it('flags the fallback head, trained on every concept, and not the ConSE head', async () => {
    const fallback = await readManifest(
      `${packageRoot()}/models/head-inception-v3-mixed6`,
      headManifestSchema,
    );
    expect(holdOutWarning(fallback)).toMatch(/training.split: none/);
    const conse = await readManifest(`${packageRoot()}/models/head-efficientnet-lite2`, headManifestSchema);
    expect(holdOutWarning(conse)).toBeUndefined();
  });
});
