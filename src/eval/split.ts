/**
 * Deterministic zero-shot split by concept: a concept's side depends only on (seed, concept), so
 * training the shipped head and evaluating it agree on which concepts were never seen, and adding
 * images or concepts never moves an existing concept across the split.
 */

export const DEFAULT_SPLIT_SEED = 20240617;
export const DEFAULT_UNSEEN_FRACTION = 0.25;

export interface SplitOptions {
  seed?: number;
  unseenFraction?: number;
}

/** FNV-1a over UTF-8 with a murmur3 finaliser, mapped to [0, 1). */
export function conceptHash(concept: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (const byte of new TextEncoder().encode(concept)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

export function isUnseenConcept(concept: string, options: SplitOptions = {}): boolean {
  return (
    conceptHash(concept, options.seed ?? DEFAULT_SPLIT_SEED) <
    (options.unseenFraction ?? DEFAULT_UNSEEN_FRACTION)
  );
}

export function splitByConcept<T extends { concept: string }>(
  items: readonly T[],
  options: SplitOptions = {},
): { seen: T[]; unseen: T[] } {
  const seen: T[] = [];
  const unseen: T[] = [];
  for (const item of items) (isUnseenConcept(item.concept, options) ? unseen : seen).push(item);
  return { seen, unseen };
}

/**
 * Training/validation split inside the seen concepts, also by concept (a different salt), so the
 * best checkpoint is the one that generalises to concepts it has not fitted.
 */
export function validationSplit<T extends { concept: string }>(
  items: readonly T[],
  fraction: number,
  seed = DEFAULT_SPLIT_SEED,
): { train: T[]; val: T[] } {
  const train: T[] = [];
  const val: T[] = [];
  for (const item of items)
    (conceptHash(item.concept, seed ^ 0x5bd1e995) < fraction ? val : train).push(item);
  return { train, val };
}
