import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../errors.js';
import type { CollectionInfo, Payload } from '../store/vector-store.js';
import {
  checkIdentity,
  identityDifferences,
  identityMetadata,
  pendingMetadata,
  recordedIdentity,
  sameIdentity,
  type ImagesIdentity,
} from './model-identity.js';

const identity = (head = 'head-a', sha = 'a'): ImagesIdentity => ({
  encoder: { name: 'efficientnet-lite2', sha256: '7'.repeat(64), dimension: 1280 },
  head: { name: head, sha256: sha.repeat(64), dimension: 100 },
  wordVectors: { name: 'glove-wink-100d', dimension: 100, bytes: 1234, words: 341479 },
});

const info = (metadata: Payload, count = 3): CollectionInfo => ({
  name: 'images',
  vectors: { semantic: { size: 100 }, visual: { size: 1280 } },
  count,
  metadata,
});

describe('collection identity', () => {
  it('is current for the same models, whatever the key order', () => {
    const reordered = JSON.parse(
      JSON.stringify(identity(), [
        'wordVectors',
        'words',
        'bytes',
        'dimension',
        'name',
        'head',
        'sha256',
        'encoder',
      ]),
    ) as unknown;
    expect(sameIdentity(reordered, identity())).toBe(true);
    expect(checkIdentity('images', info(identityMetadata(identity())), identity())).toBe('current');
    expect(recordedIdentity(identityMetadata(identity()))).toEqual(identity());
  });

  it('is absent for a missing or empty collection, pending while the same models fill it', () => {
    expect(checkIdentity('images', undefined, identity())).toBe('absent');
    expect(checkIdentity('images', info({}, 0), identity())).toBe('absent');
    expect(checkIdentity('images', info(identityMetadata(identity('other')), 0), identity())).toBe('absent');
    expect(checkIdentity('images', info(pendingMetadata(identity())), identity())).toBe('pending');
  });

  it('refuses other models, naming what differs and pointing to visem reindex', () => {
    let error: unknown;
    try {
      checkIdentity('images', info(identityMetadata(identity('head-a', 'a'))), identity('head-b', 'b'));
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: ErrorCode.STORE_MODEL_MISMATCH });
    const message = (error as Error).message;
    expect(message).toContain(
      'head: stored head-a (100-d, sha256 aaaaaaaaaaaa), loaded head-b (100-d, sha256 bbbbbbbbbbbb)',
    );
    expect(message).not.toContain('encoder:');
    expect(message).toContain('visem reindex');
    expect(identityDifferences(identity(), identity())).toEqual([]);
    expect(() => checkIdentity('images', info(pendingMetadata(identity('head-b'))), identity())).toThrow(
      /being filled by other models/,
    );
  });

  it('takes a collection with data but no recorded models as written by the previous defaults', () => {
    for (const metadata of [{}, { visem: null }] as Payload[]) {
      expect(() => checkIdentity('images', info(metadata), identity())).toThrow(
        expect.objectContaining({
          code: ErrorCode.STORE_MODEL_MISMATCH,
          message: expect.stringMatching(
            /records no models[\s\S]*encoder: stored inception-v3-mixed6 \(assumed\), loaded efficientnet-lite2[\s\S]*head: stored head-default \(assumed\)[\s\S]*visem reindex/,
          ) as unknown,
        }) as Error,
      );
    }
  });
});
