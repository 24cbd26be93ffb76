import path from 'node:path';
import { packageRoot } from '../../src/paths.js';

/**
 * Settings shared by every integration test: the first 100k GloVe words (labels among the top 40k), so
 * the vocabulary imports in seconds; everything else is the product's defaults.
 */
export const TEST_ENV: Record<string, string> = {
  VOCAB_LIMIT: '100000',
  LOG_LEVEL: 'silent',
  NODE_ENV: 'test',
  ORT_THREADS: '1',
};

/** A data dir with the vocabulary imported, made once by test/global-setup.ts and copied per suite. */
export function testTemplateDir(): string {
  return path.join(packageRoot(), '.cache', 'test-template', `vocab-${TEST_ENV.VOCAB_LIMIT}`);
}

/** Photographic Tux Paint stamps (Debian tuxpaint-stamps-default), flattened on white by the decoder. */
export const STAMPS = '/usr/share/tuxpaint/stamps';
export const ANIMAL_PHOTOS = {
  zebra: `${STAMPS}/animals/mammals/equines/zebra.png`,
  giraffe: `${STAMPS}/animals/mammals/giraffe.png`,
  elephant: `${STAMPS}/animals/mammals/elephant.png`,
  hippopotamus: `${STAMPS}/animals/mammals/hippopotamus.png`,
  pig: `${STAMPS}/animals/mammals/pig.png`,
  horse: `${STAMPS}/animals/mammals/equines/horse.png`,
  lion: `${STAMPS}/animals/mammals/cats/lion.png`,
  tiger: `${STAMPS}/animals/mammals/cats/tiger.png`,
  rabbit: `${STAMPS}/animals/mammals/rodents/rabbit.png`,
  frog: `${STAMPS}/animals/amphibians/frog.png`,
} as const;
