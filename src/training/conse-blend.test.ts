import { describe, expect, it } from 'vitest';
import { cosine, normalize } from '../vectors.js';
import { applyConseBlend, conseBlendOf } from './conse-blend.js';

const v = (...xs: number[]) => Float32Array.from(xs);

describe('ConSE blend', () => {
  const classes = [v(1, 0, 0), v(0, 1, 0), v(1, 0, 0), v(0, 0, 2)];

  it('keeps one unit row per distinct class vector', () => {
    const blend = conseBlendOf(classes, { temperature: 0.1, weight: 1 });
    expect(blend.classes).toBe(3);
    expect(Array.from(blend.classVectors.subarray(6, 9))).toEqual([0, 0, 1]);
  });

  it('adds the nearest class vector when the temperature is tiny', () => {
    const blend = conseBlendOf(classes, { temperature: 1e-4, weight: 0.5 });
    const p = v(0.2, 0.9, 0.1);
    const out = applyConseBlend(blend, p);
    const unit = normalize(p);
    expect(out[0]).toBeCloseTo(unit[0]!, 5);
    expect(out[1]).toBeCloseTo(unit[1]! + 0.5, 5);
    expect(out[2]).toBeCloseTo(unit[2]!, 5);
  });

  it('moves a prediction towards the classes it scores highest, and weight 0 leaves its direction', () => {
    const p = v(0.6, 0.5, 0.62);
    const warm = applyConseBlend(conseBlendOf(classes, { temperature: 0.05, weight: 1 }), p);
    expect(cosine(warm, v(0, 0, 1))).toBeGreaterThan(cosine(p, v(0, 0, 1)));
    expect(cosine(warm, v(0, 1, 0))).toBeLessThan(cosine(p, v(0, 1, 0)));
    const none = applyConseBlend(conseBlendOf(classes, { temperature: 0.05, weight: 0 }), p);
    expect(cosine(none, p)).toBeCloseTo(1, 6);
  });

  it('refuses a non-positive temperature and a single class', () => {
    expect(() => conseBlendOf(classes, { temperature: 0, weight: 1 })).toThrow(/temperature/);
    expect(() => conseBlendOf([v(1, 0), v(1, 0)], { temperature: 0.1, weight: 1 })).toThrow(/two classes/);
  });
});
