import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { normalizeInPlace } from '../vectors.js';
import { phraseVector, type WordLookup } from './phrase.js';

/**
 * The 1000 ILSVRC-2012 classes in classifier order and the phrases that place each in the word space,
 * as written by scripts/generate-imagenet-classes.ts (WordNet 3.0 names, reviewed rules). ConSE maps an
 * image to the probability-weighted mean of its top classes' vectors, so these vectors are its vocabulary.
 */
const phraseSchema = z.object({
  /** Lowercase words, each in the word vectors. */
  words: z.array(z.string().min(1)).min(1),
  /**
   * name: a WordNet synonym; clean: the package's cleaned-up name; hypernym: a WordNet hypernym (places
   * the class near its kind, tells same-named classes apart); gloss: the WordNet gloss's words, for a
   * class none of whose names is in the word vectors.
   */
  from: z.enum(['name', 'clean', 'hypernym', 'gloss']),
  /** Words rarer than the generator's rank limit (kept only when the class has nothing better). */
  rare: z.array(z.string()).optional(),
  /** Why a hypernym or gloss phrase was needed, or overridden. */
  why: z.string().optional(),
});
const classSchema = z.object({
  index: z.number().int().min(0),
  wnid: z.string().regex(/^n\d{8}$/),
  /** The synset's WordNet 3.0 synonyms, in order, as written ("Tinca tinca"). */
  names: z.array(z.string().min(1)).min(1),
  /** The source package's cleaned-up name ("crane bird", "construction crane"). */
  cleanName: z.string(),
  /** First name of the immediate WordNet hypernym. */
  hypernym: z.string(),
  gloss: z.string(),
  phrases: z.array(phraseSchema).min(1),
  /** Names left out, each with why. */
  dropped: z.array(z.string()),
});
const fileSchema = z.object({ source: z.record(z.unknown()), classes: z.array(classSchema) });

export type ImagenetPhrase = z.infer<typeof phraseSchema>;
export type ImagenetClass = z.infer<typeof classSchema>;

export async function loadImagenetClasses(file: string): Promise<ImagenetClass[]> {
  const parsed = fileSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${file}: invalid ImageNet class list at ${issue.path.join('.')}: ${issue.message}`);
  }
  parsed.data.classes.forEach((c, i) => {
    if (c.index !== i)
      throw new Error(`${file}: entry ${i} has index ${c.index} (classes must be in classifier order)`);
  });
  return parsed.data.classes;
}

export interface ClassVectorOptions {
  /** Weight of the first phrase (the synset's first name); every other name weighs 1. */
  firstWeight?: number;
  /** Weight of the hypernym phrase. */
  hypernymWeight?: number;
}

/**
 * Measured on the shipped list with two proxies (retrieving each class from the words of an
 * independent description, imagenet-classes' imagenet1k_gpt_names_descriptions.json; and ranking the
 * classes under 33 kinds such as "dog", "car" for that word): equal weights do best. A first-name
 * weight of 2 lowers kind mAP 0.75 → 0.66 at equal description recall; a hypernym weight of 2 raises
 * kind mAP to 0.79 but merges 94 class pairs past cosine 0.97 (9 at 1).
 */
export const DEFAULT_FIRST_WEIGHT = 1;
export const DEFAULT_HYPERNYM_WEIGHT = 1;

/**
 * One unit vector per class: the weighted mean of its phrase vectors, each phrase the renormalised mean
 * of its words' unit vectors. A phrase with a word the lookup lacks is skipped (another word space than
 * the generator's); a class left with no phrase is an error.
 */
export function classWordVectors(
  classes: readonly ImagenetClass[],
  lookup: WordLookup,
  options: ClassVectorOptions = {},
): Float32Array[] {
  const firstWeight = options.firstWeight ?? DEFAULT_FIRST_WEIGHT;
  const hypernymWeight = options.hypernymWeight ?? DEFAULT_HYPERNYM_WEIGHT;
  return classes.map((c) => {
    let sum: Float32Array | undefined;
    c.phrases.forEach((p, i) => {
      if (p.words.some((w) => !lookup(w))) return;
      const v = phraseVector(p.words, lookup);
      const weight = p.from === 'hypernym' ? hypernymWeight : i === 0 ? firstWeight : 1;
      sum ??= new Float32Array(v.length);
      for (let d = 0; d < v.length; d++) sum[d]! += weight * v[d]!;
    });
    if (!sum) {
      throw new Error(
        `ImageNet class ${c.index} (${c.names[0]}): none of its phrases (${c.phrases.map((p) => p.words.join(' ')).join('; ')}) is in the word vectors`,
      );
    }
    return normalizeInPlace(sum);
  });
}
