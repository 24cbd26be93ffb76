import type { LabelledImage } from '../training/labelled-images.js';
import { splitByConcept, type SplitOptions } from './split.js';
import {
  compareTagsWithConceptNeighbours,
  evaluateZeroShot,
  type EvalImage,
  type HitRates,
  type TagComparison,
  type ZeroShotReport,
} from './zero-shot.js';

/** "emoji", "stamp-photo", "stamp-drawing", or the item's domain / "images" for user data. */
export function groupOf(item: LabelledImage): string {
  if (item.domain === 'stamp') return item.photo ? 'stamp-photo' : 'stamp-drawing';
  return item.domain ?? 'images';
}

export interface ItemsEvaluation {
  report: ZeroShotReport;
  comparison: { meanOverlap: number; examples: TagComparison[] };
  counts: { images: number; seenConcepts: number; unseenConcepts: number; testImages: number };
}

/**
 * Splits the items by concept, takes the head's predictions for the unseen-concept images and scores
 * them. `predict` receives only those images' indices into `items`.
 */
export function evaluateItems(
  items: readonly LabelledImage[],
  predictions: ReadonlyMap<number, Float32Array>,
  vocabulary: readonly string[],
  vectorOf: (label: string) => Float32Array | undefined,
  split: SplitOptions = {},
  examples = 12,
): ItemsEvaluation {
  const indexed = items.map((item, index) => ({ ...item, index }));
  const { seen, unseen } = splitByConcept(indexed, split);
  const images: EvalImage[] = unseen.flatMap((item) => {
    const prediction = predictions.get(item.index);
    return prediction && vectorOf(item.concept)
      ? [{ concept: item.concept, words: item.words, group: groupOf(item), prediction }]
      : [];
  });
  const seenConcepts = [...new Set(seen.map((s) => s.concept))].sort();
  const unseenConcepts = [...new Set(images.map((s) => s.concept))].sort();
  const report = evaluateZeroShot({ images, seenConcepts, unseenConcepts, vocabulary, vectorOf });
  const comparison = compareTagsWithConceptNeighbours(images, vocabulary, vectorOf, 5);
  // A spread of examples: every n-th row, deterministic.
  const step = Math.max(1, Math.floor(comparison.rows.length / examples));
  return {
    report,
    comparison: {
      meanOverlap: comparison.meanOverlap,
      examples: comparison.rows.filter((_, i) => i % step === 0).slice(0, examples),
    },
    counts: {
      images: items.length,
      seenConcepts: seenConcepts.length,
      unseenConcepts: unseenConcepts.length,
      testImages: images.length,
    },
  };
}

/** Rows for a metrics table (the CLI prints them; kept free of console code). */
/** A rate as a table cell: one decimal of a percent, '-' when there is none. */
export function percent(v: number | undefined): string {
  return v === undefined ? '-' : (100 * v).toFixed(1);
}

/** A hit@k cell; '-' where k reaches the number of labels ranked among (100 % by construction). */
export function hitCell(h: HitRates, k: number): string {
  return k >= h.candidates ? '-' : percent(h.hits[`@${k}`]);
}

/** Whether any printed hit@k cell was left out as trivial. */
export function hasTrivialCells(r: ZeroShotReport): boolean {
  return [r.unseenLabels, r.allLabels, r.vocabulary].some((h) => h.n > 0 && h.candidates <= 10);
}

export function metricsRows(name: string, r: ZeroShotReport): string[][] {
  const line = (scope: string, h: HitRates) => [
    name,
    scope,
    String(h.n),
    hitCell(h, 1),
    hitCell(h, 5),
    hitCell(h, 10),
  ];
  const out = [
    line('unseen labels', r.unseenLabels),
    line('all dataset labels', r.allLabels),
    line('label vocabulary', r.vocabulary),
    line('open vocabulary', r.openVocabulary),
  ];
  for (const [g, h] of Object.entries(r.byGroup)) {
    out.push(line(`${g}: unseen labels`, h.unseenLabels), line(`${g}: open vocabulary`, h.openVocabulary));
  }
  out.push([
    name,
    'words→images mAP / R@10',
    String(r.retrieval.concepts),
    percent(r.retrieval.meanAveragePrecision),
    percent(r.retrieval.recallAt10),
    '',
  ]);
  return out;
}

export const METRICS_HEADER = ['head', 'scope', 'n', 'hit@1 %', 'hit@5 %', 'hit@10 %'];
