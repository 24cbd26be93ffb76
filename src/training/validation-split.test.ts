import { describe, expect, it } from 'vitest';
import { validationSplit } from '../eval/split.js';
import { isAppError } from '../errors.js';
import { chooseValidation, imageValidationSplit, MIN_VALIDATION_IMAGES } from './validation-split.js';

const rows = (counts: Record<string, number>) =>
  Object.entries(counts).flatMap(([concept, n]) =>
    Array.from({ length: n }, (_, i) => ({ concept, item: { path: `/data/${concept}/${i}.png` } })),
  );

/** n concept names the 10 % concept split holds none of, or (heldOut) only these. */
function concepts(n: number, heldOut: boolean): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) {
    const c = `concept${i}`;
    if ((validationSplit([{ concept: c }], 0.1).val.length === 1) === heldOut) out.push(c);
  }
  return out;
}

const counts = (names: string[], n: number) => Object.fromEntries(names.map((c) => [c, n]));

describe('imageValidationSplit', () => {
  it('holds out images of several concepts, never a concept’s last one, and is seeded', () => {
    const data = rows({ a: 10, b: 10, c: 1, d: 3 });
    const { train, val } = imageValidationSplit(data, 0.1);
    expect(val).toHaveLength(MIN_VALIDATION_IMAGES);
    expect(train.length + val.length).toBe(data.length);
    for (const c of ['a', 'b', 'c', 'd']) expect(train.some((r) => r.concept === c)).toBe(true);
    expect(new Set(val.map((r) => r.concept)).size).toBeGreaterThan(1);
    expect(imageValidationSplit(data, 0.1).val).toEqual(val);
    expect(imageValidationSplit(data, 0.1, 7).val).not.toEqual(val);
  });

  it('takes at most a quarter of a tiny set, and nothing from single-image concepts', () => {
    expect(imageValidationSplit(rows({ a: 3, b: 2, c: 2, d: 2 }), 0.1).val).toHaveLength(2);
    expect(imageValidationSplit(rows({ a: 1, b: 1 }), 0.1).val).toHaveLength(0);
  });
});

describe('chooseValidation', () => {
  it('auto: by concepts when enough of them sit out, else by images', () => {
    const many = [...concepts(3, true), ...concepts(20, false)];
    expect(chooseValidation(rows(counts(many, 2)), 'auto', 0.1).mode).toBe('concepts');
    const few = [...concepts(1, true), ...concepts(6, false)];
    expect(chooseValidation(rows(counts(few, 2)), 'auto', 0.1).mode).toBe('images');
    // One image per concept: held-out images would be held-out concepts anyway.
    expect(chooseValidation(rows(counts(few, 1)), 'auto', 0.1).mode).toBe('concepts');
  });

  it('concepts: holds out one whole concept when the seeded split draws none', () => {
    const none = concepts(4, false);
    const choice = chooseValidation(rows(counts(none, 3)), 'concepts', 0.1);
    expect(choice.mode).toBe('concepts');
    const held = new Set(choice.val.map((r) => r.concept));
    expect(held.size).toBe(1);
    expect(choice.val).toHaveLength(3);
    expect(choice.train.some((r) => held.has(r.concept))).toBe(false);
    // Four single-image concepts: still one to validate on, three to train on.
    expect(chooseValidation(rows(counts(none, 1)), 'auto', 0.1)).toMatchObject({ mode: 'concepts' });
  });

  it('refuses what cannot work, with a message naming the way out', () => {
    const refusal = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return isAppError(e) ? `${e.code}: ${e.message}` : String(e);
      }
      return 'no error';
    };
    expect(refusal(() => chooseValidation(rows({ a: 5 }), 'auto', 0.1))).toMatch(
      /^BAD_USER_INPUT: need labelled images of at least two concepts; found 5 images of 1 concept/,
    );
    expect(refusal(() => chooseValidation(rows({ a: 3, b: 3 }), 'concepts', 0.1))).toMatch(
      /--validation concepts needs at least three concepts.*use --validation images/,
    );
    expect(refusal(() => chooseValidation(rows({ a: 1, b: 1, c: 1 }), 'images', 0.1))).toMatch(
      /--validation images needs a concept with at least two images/,
    );
    expect(refusal(() => chooseValidation(rows({ a: 1, b: 1 }), 'auto', 0.1))).toMatch(
      /need three concepts, or a concept with two images.*found 2 images of 2 concepts/,
    );
  });
});
