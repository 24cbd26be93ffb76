import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../training/random.js';
import { hasTrivialCells, metricsRows } from './evaluate-items.js';
import { splitByConcept, isUnseenConcept } from './split.js';
import { averagePrecision } from './ranking.js';
import {
  compareTagsWithConceptNeighbours,
  evaluateZeroShot,
  type EvalImage,
  type ZeroShotInput,
} from './zero-shot.js';

const at = (deg: number) =>
  Float32Array.from([Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)]);
const words: Record<string, number> = { cat: 0, dog: 90, car: 180, sun: 270, cow: 45 };
const vectorOf = (label: string) => (label in words ? at(words[label]!) : undefined);
const image = (concept: string, deg: number, group: string): EvalImage => ({
  concept,
  words: concept.split(' '),
  group,
  prediction: at(deg),
});

// A: car seen at 170°; B: cow at 80° (closer to dog); C: cow at 200° (closer to car, then sun).
const input: ZeroShotInput = {
  images: [image('car', 170, 'emoji'), image('cow', 80, 'emoji'), image('cow', 200, 'photo')],
  seenConcepts: ['cat', 'dog', 'cow calf'],
  unseenConcepts: ['car', 'cow'],
  vocabulary: ['cat', 'dog', 'car', 'sun', 'cow'],
  vectorOf,
};

describe('evaluateZeroShot', () => {
  const report = evaluateZeroShot(input);

  it('ranks against unseen labels, all labels and the vocabulary', () => {
    // Ranks — unseen: A1 B1 C2; all: A1 B2 C3; vocabulary: A1 B2 C4.
    expect(report.unseenLabels).toEqual({ n: 3, hits: { '@1': 2 / 3, '@5': 1, '@10': 1 }, candidates: 2 });
    expect(report.allLabels.hits).toEqual({ '@1': 1 / 3, '@5': 1, '@10': 1 });
    expect(report.vocabulary.hits['@1']).toBeCloseTo(1 / 3);
    expect(report.vocabulary.hits['@5']).toBe(1);
  });

  it('open vocabulary counts only concepts sharing no word with a seen concept', () => {
    // "cow calf" is seen, so the two cow images drop out; only A (rank 1) remains.
    expect(report.openVocabulary).toEqual({ n: 1, hits: { '@1': 1, '@5': 1, '@10': 1 }, candidates: 5 });
  });

  it('prints hit@k as - where k reaches the labels ranked among (100 % by construction)', () => {
    const rows = metricsRows('h', report);
    // Two unseen labels: hit@5 and hit@10 cannot miss; five vocabulary labels: hit@5 and hit@10 neither.
    expect(rows.find((r) => r[1] === 'unseen labels')).toEqual(['h', 'unseen labels', '3', '66.7', '-', '-']);
    expect(rows.find((r) => r[1] === 'label vocabulary')?.slice(3)).toEqual(['33.3', '-', '-']);
    expect(hasTrivialCells(report)).toBe(true);
  });

  it('scores words → images retrieval', () => {
    // car ranks A, C, B (AP 1); cow ranks B, A, C with B and C relevant (AP (1 + 2/3) / 2).
    expect(report.retrieval.concepts).toBe(2);
    expect(report.retrieval.meanAveragePrecision).toBeCloseTo((1 + 5 / 6) / 2, 10);
    expect(report.retrieval.recallAt10).toBe(1);
  });

  it('reports groups separately', () => {
    expect(report.byGroup.photo!.unseenLabels.hits['@1']).toBe(0);
    expect(report.byGroup.emoji!.unseenLabels.hits['@1']).toBe(1);
  });

  it('compares head tags with the concept vector’s neighbours', () => {
    const { rows } = compareTagsWithConceptNeighbours(
      input.images.slice(0, 1),
      input.vocabulary,
      vectorOf,
      2,
    );
    expect(rows[0]).toMatchObject({
      headTags: ['car', 'dog'],
      conceptNeighbours: ['car', 'dog'],
      overlap: 1,
    });
  });
});

describe('ranking and split', () => {
  it('computes average precision by hand', () => {
    expect(averagePrecision(Float32Array.from([0.9, 0.8, 0.7, 0.6]), [false, true, false, true])).toBeCloseTo(
      (1 / 2 + 2 / 4) / 2,
    );
  });

  it('is reproducible from a fixed seed', () => {
    const run = () => {
      const random = mulberry32(42);
      const concepts = Array.from({ length: 40 }, (_, i) => `c${i}`);
      const items = concepts.flatMap((c) =>
        [0, 1, 2].map(() => ({ concept: c, words: [c], group: 'g', prediction: at(random() * 360) })),
      );
      const { seen, unseen } = splitByConcept(items, { seed: 7 });
      const angles = new Map(concepts.map((c) => [c, random() * 360]));
      return evaluateZeroShot({
        images: unseen,
        seenConcepts: [...new Set(seen.map((s) => s.concept))],
        unseenConcepts: [...new Set(unseen.map((s) => s.concept))],
        vocabulary: concepts,
        vectorOf: (l) => (angles.has(l) ? at(angles.get(l)!) : undefined),
      });
    };
    expect(run()).toEqual(run());
  });

  it('puts about a quarter of concepts on the unseen side, stably', () => {
    const concepts = Array.from({ length: 2000 }, (_, i) => `concept${i}`);
    const unseen = concepts.filter((c) => isUnseenConcept(c)).length / concepts.length;
    expect(unseen).toBeGreaterThan(0.22);
    expect(unseen).toBeLessThan(0.28);
    expect(concepts.filter((c) => isUnseenConcept(c))).toEqual(concepts.filter((c) => isUnseenConcept(c)));
  });
});
