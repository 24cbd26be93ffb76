import {
  averagePrecision,
  bestRank,
  recallAtK,
  scoreRows,
  topK,
  vectorMatrix,
  type VectorMatrix,
} from './ranking.js';

/**
 * Zero-shot metrics on images of concepts the head never saw. Every function is pure: predictions and
 * label vectors in, numbers out.
 */

export interface EvalImage {
  concept: string;
  words: readonly string[];
  /** Reporting group, e.g. "emoji", "stamp-photo", "stamp-drawing". */
  group: string;
  /** The head's output for the image. */
  prediction: Float32Array;
}

export interface ZeroShotInput {
  /** Test images; all of unseen concepts. */
  images: readonly EvalImage[];
  seenConcepts: readonly string[];
  unseenConcepts: readonly string[];
  /** The tag vocabulary (single words). */
  vocabulary: readonly string[];
  /** Unit vector of a label (word or space-separated phrase). */
  vectorOf: (label: string) => Float32Array | undefined;
  ks?: readonly number[];
}

/** Share of images whose true concept ranks within k, for each k. */
export interface HitRates {
  n: number;
  hits: Record<string, number>;
  /** Labels ranked among: hit@k for k ≥ this is 100 % by construction. */
  candidates: number;
}

export interface ZeroShotReport {
  /** (i) against the unseen concepts only. */
  unseenLabels: HitRates;
  /** (ii) against every dataset concept, seen and unseen. */
  allLabels: HitRates;
  /** (iii) against the whole tag vocabulary (plus the dataset concepts, so multiword ones can rank). */
  vocabulary: HitRates;
  /** (iii) restricted to images whose concept shares no word with any seen concept. */
  openVocabulary: HitRates;
  /** Words → images over the test images, one query per unseen concept. */
  retrieval: { concepts: number; meanAveragePrecision: number; recallAt10: number };
  byGroup: Record<string, Omit<ZeroShotReport, 'retrieval' | 'byGroup'>>;
}

function hitRates(ranks: readonly number[], ks: readonly number[], candidates: number): HitRates {
  const hits: Record<string, number> = {};
  for (const k of ks)
    hits[`@${k}`] = ranks.length === 0 ? 0 : ranks.filter((r) => r <= k).length / ranks.length;
  return { n: ranks.length, hits, candidates };
}

function matrixOf(labels: Iterable<string>, vectorOf: ZeroShotInput['vectorOf']): VectorMatrix {
  const entries: { key: string; vector: Float32Array }[] = [];
  for (const key of new Set(labels)) {
    const vector = vectorOf(key);
    if (vector) entries.push({ key, vector });
  }
  return vectorMatrix(entries);
}

function rankIn(m: VectorMatrix, index: Map<string, number>, image: EvalImage): number {
  const target = index.get(image.concept);
  return target === undefined ? Infinity : bestRank(scoreRows(image.prediction, m), [target]);
}

function indexOf(m: VectorMatrix): Map<string, number> {
  return new Map(m.keys.map((k, i) => [k, i]));
}

/** Flat hit@k for (i)–(iii) and the open-vocabulary figure, over one set of images. */
export function hitReport(
  input: ZeroShotInput,
  images: readonly EvalImage[],
): Omit<ZeroShotReport, 'retrieval' | 'byGroup'> {
  const ks = input.ks ?? [1, 5, 10];
  const unseen = matrixOf(input.unseenConcepts, input.vectorOf);
  const all = matrixOf([...input.seenConcepts, ...input.unseenConcepts], input.vectorOf);
  const vocab = matrixOf(
    [...input.vocabulary, ...input.seenConcepts, ...input.unseenConcepts],
    input.vectorOf,
  );
  const seenWords = new Set(input.seenConcepts.flatMap((c) => c.split(' ')));
  const [iu, ia, iv] = [indexOf(unseen), indexOf(all), indexOf(vocab)];
  const vocabRanks = images.map((img) => rankIn(vocab, iv, img));
  return {
    unseenLabels: hitRates(
      images.map((img) => rankIn(unseen, iu, img)),
      ks,
      unseen.keys.length,
    ),
    allLabels: hitRates(
      images.map((img) => rankIn(all, ia, img)),
      ks,
      all.keys.length,
    ),
    vocabulary: hitRates(vocabRanks, ks, vocab.keys.length),
    openVocabulary: hitRates(
      vocabRanks.filter((_, i) => images[i]!.words.every((w) => !seenWords.has(w))),
      ks,
      vocab.keys.length,
    ),
  };
}

/** Words → images: each unseen concept's vector ranks the test images; its own images are relevant. */
export function retrievalReport(input: ZeroShotInput): ZeroShotReport['retrieval'] {
  const predictions = vectorMatrix(
    input.images.map((img, i) => ({ key: String(i), vector: img.prediction })),
  );
  let ap = 0;
  let recall = 0;
  let n = 0;
  for (const concept of new Set(input.unseenConcepts)) {
    const q = input.vectorOf(concept);
    const relevant = input.images.map((img) => img.concept === concept);
    if (!q || !relevant.some(Boolean)) continue;
    const scores = scoreRows(q, predictions);
    ap += averagePrecision(scores, relevant);
    recall += recallAtK(scores, relevant, 10);
    n++;
  }
  return { concepts: n, meanAveragePrecision: n ? ap / n : 0, recallAt10: n ? recall / n : 0 };
}

export function evaluateZeroShot(input: ZeroShotInput): ZeroShotReport {
  const groups = [...new Set(input.images.map((i) => i.group))].sort();
  return {
    ...hitReport(input, input.images),
    retrieval: retrievalReport(input),
    byGroup: Object.fromEntries(
      groups.map((g) => [
        g,
        hitReport(
          input,
          input.images.filter((i) => i.group === g),
        ),
      ]),
    ),
  };
}

export interface TagComparison {
  concept: string;
  group: string;
  /** The head's top tags for the image. */
  headTags: string[];
  /** The vocabulary words nearest to the concept's own vector: what a perfect head would tag. */
  conceptNeighbours: string[];
  overlap: number;
}

/**
 * DeViSE's qualitative check: an image's tags next to the nearest words of its class name's vector.
 * Returns one row per image (callers pick a few to print) and the mean overlap of the two top-k lists.
 */
export function compareTagsWithConceptNeighbours(
  images: readonly EvalImage[],
  vocabulary: readonly string[],
  vectorOf: ZeroShotInput['vectorOf'],
  k = 5,
): { rows: TagComparison[]; meanOverlap: number } {
  const vocab = matrixOf(vocabulary, vectorOf);
  const rows = images.map((img) => {
    const headTags = topK(scoreRows(img.prediction, vocab), k).map((i) => vocab.keys[i]!);
    const q = vectorOf(img.concept);
    const conceptNeighbours = q ? topK(scoreRows(q, vocab), k).map((i) => vocab.keys[i]!) : [];
    const overlap = headTags.filter((t) => conceptNeighbours.includes(t)).length / k;
    return { concept: img.concept, group: img.group, headTags, conceptNeighbours, overlap };
  });
  const meanOverlap = rows.length ? rows.reduce((a, r) => a + r.overlap, 0) / rows.length : 0;
  return { rows, meanOverlap };
}
