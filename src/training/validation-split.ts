import path from 'node:path';
import { conceptHash, DEFAULT_SPLIT_SEED, validationSplit } from '../eval/split.js';
import { AppError, ErrorCode } from '../errors.js';

/**
 * Choosing the rows the best epoch (and the de-shrink factor) is picked on. By whole concepts when the
 * label set is large enough that some concepts can sit out, which rewards heads that generalise to
 * words they were not fitted on; otherwise by held-out images of the concepts it trains on, so a
 * handful of labelled folders still trains.
 */

export type ValidationMode = 'concepts' | 'images';
export type ValidationSetting = ValidationMode | 'auto';

/** Below this many held-out concepts, `auto` validates by images: one or two concepts are noise. */
export const MIN_VALIDATION_CONCEPTS = 3;
/** Validation by images holds out at least this many images when the set has four times as many. */
export const MIN_VALIDATION_IMAGES = 5;

export interface ValidationChoice<T> {
  mode: ValidationMode;
  train: T[];
  val: T[];
}

interface Row {
  concept: string;
  item: { path: string };
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
const conceptCount = (rows: readonly Row[]) => new Set(rows.map((r) => r.concept)).size;

/**
 * Per concept, images in a seeded order (by file name, so a copied dataset splits the same); then one
 * image from each concept in turn, while it keeps at least one to train on, until `fraction` of the
 * images (at least MIN_VALIDATION_IMAGES, or a quarter of a smaller set) are out.
 */
export function imageValidationSplit<T extends Row>(
  rows: readonly T[],
  fraction: number,
  seed = DEFAULT_SPLIT_SEED,
): { train: T[]; val: T[] } {
  const byConcept = new Map<string, T[]>();
  for (const r of rows) byConcept.set(r.concept, [...(byConcept.get(r.concept) ?? []), r]);
  const key = (r: T) => conceptHash(path.basename(r.item.path), seed ^ 0x27d4eb2f);
  const queues = [...byConcept]
    .sort(([a], [b]) => conceptHash(a, seed) - conceptHash(b, seed))
    .map(([, rs]) => [...rs].sort((a, b) => key(a) - key(b)));
  const capacity = queues.reduce((n, q) => n + q.length - 1, 0);
  // The floor never takes more than a quarter of a tiny set: it still has to train.
  const floor = Math.min(MIN_VALIDATION_IMAGES, Math.max(1, Math.floor(rows.length / 4)));
  const wanted = Math.min(capacity, Math.max(Math.round(fraction * rows.length), floor));
  const held = new Set<T>();
  for (let round = 0; held.size < wanted; round++) {
    for (const q of queues) {
      if (held.size >= wanted) break;
      if (q.length - round > 1) held.add(q[round]!);
    }
  }
  return { train: rows.filter((r) => !held.has(r)), val: rows.filter((r) => held.has(r)) };
}

function refuse(message: string, rows: readonly Row[]): AppError {
  return new AppError(ErrorCode.BAD_USER_INPUT, message, {
    images: rows.length,
    concepts: conceptCount(rows),
  });
}

/**
 * Whole held-out concepts: the seeded split when it leaves at least two concepts to train on, else the
 * one concept it ranks first (small label sets often draw none); undefined when fewer than three.
 */
function conceptSplit<T extends Row>(rows: readonly T[], fraction: number, seed: number) {
  const split = validationSplit(rows, fraction, seed);
  if (split.val.length > 0 && conceptCount(split.train) >= 2) return split;
  const names = [...new Set(rows.map((r) => r.concept))];
  if (names.length < 3) return undefined;
  const first = names.reduce((a, b) =>
    conceptHash(b, seed ^ 0x5bd1e995) < conceptHash(a, seed ^ 0x5bd1e995) ? b : a,
  );
  return { train: rows.filter((r) => r.concept !== first), val: rows.filter((r) => r.concept === first) };
}

/** Splits the (seen) rows into training and validation, by `setting`; refuses when that is impossible. */
export function chooseValidation<T extends Row>(
  rows: readonly T[],
  setting: ValidationSetting,
  fraction: number,
  seed = DEFAULT_SPLIT_SEED,
): ValidationChoice<T> {
  const found = `found ${plural(rows.length, 'image')} of ${plural(conceptCount(rows), 'concept')}`;
  // One concept trains a head that maps every image to that word.
  if (conceptCount(rows) < 2) throw refuse(`need labelled images of at least two concepts; ${found}`, rows);
  const byConcept = conceptSplit(rows, fraction, seed);
  const byImages = imageValidationSplit(rows, fraction, seed);
  const imagesWork = byImages.val.length > 0;
  if (setting === 'concepts') {
    if (!byConcept)
      throw refuse(
        `--validation concepts needs at least three concepts (two to train on, one held out); ${found}; ` +
          'use --validation images',
        rows,
      );
    return { mode: 'concepts', ...byConcept };
  }
  if (setting === 'images' && !imagesWork)
    throw refuse(`--validation images needs a concept with at least two images; ${found}`, rows);
  const enoughConcepts = byConcept && conceptCount(byConcept.val) >= MIN_VALIDATION_CONCEPTS;
  if (setting === 'images' || (imagesWork && !enoughConcepts)) return { mode: 'images', ...byImages };
  if (byConcept) return { mode: 'concepts', ...byConcept };
  throw refuse(`need three concepts, or a concept with two images, to train and validate; ${found}`, rows);
}
