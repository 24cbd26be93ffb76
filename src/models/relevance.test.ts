import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRelevanceFile, relevanceScale, type RelevanceFile } from './relevance.js';

const space = {
  minScore: 0.6,
  logistic: { slope: 10, intercept: -7 },
  pairs: { relevant: 10, irrelevant: 90 },
};

describe('relevanceScale', () => {
  it('bands scores against the calibrated cut-off and the 0.5 relevance line', () => {
    const scale = relevanceScale(space, 'calibrated');
    expect(scale.minScore).toBe(0.6);
    expect(scale.source).toBe('calibrated');
    expect(scale.band(0.75)).toBe('STRONG');
    expect(scale.band(0.65)).toBe('WEAK');
    expect(scale.band(0.3)).toBe('BELOW_CUTOFF');
    expect(scale.relevance(0.7)).toBeCloseTo(0.5, 6);
  });

  it('takes a configured cut-off or none, and has no bands without a calibration', () => {
    expect(relevanceScale(space, 0.2)).toMatchObject({ minScore: 0.2, source: 'configured' });
    expect(relevanceScale(space, 'none').minScore).toBeUndefined();
    const bare = relevanceScale(undefined, 'calibrated');
    expect(bare).toMatchObject({ minScore: undefined, source: 'none' });
    expect(bare.band(0.9)).toBeUndefined();
    expect(bare.relevance(0.9)).toBeUndefined();
  });
});

describe('loadRelevanceFile', () => {
  it('accepts a file fitted for the loaded models and names why it refuses others', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'visem-relevance-'));
    expect((await loadRelevanceFile(dir, { encoderSha256: 'e', headSha256: 'h' })).reason).toMatch(
      /not found/,
    );
    const file: RelevanceFile = {
      kind: 'relevance-calibration',
      generator: 'test',
      photoSet: 'photos.json',
      split: 'even',
      inputs: { encoderSha256: 'e', headSha256: 'h' },
      text: space,
      image: space,
    };
    await writeFile(path.join(dir, 'relevance.json'), JSON.stringify(file));
    expect((await loadRelevanceFile(dir, { encoderSha256: 'e', headSha256: 'h' })).file).toEqual(file);
    const other = await loadRelevanceFile(dir, { encoderSha256: 'x', headSha256: 'h' });
    expect(other.file).toBeUndefined();
    expect(other.reason).toMatch(/other model files/);
  });
});
