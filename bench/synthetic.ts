/**
 * Synthetic image points, clearly labelled (`source: "synthetic"`): each semantic vector is the vector of
 * a frequent word plus noise, like real tags; each visual vector is random. Deterministic per seed.
 */
import type { ImagePayload } from '../src/services/collections.js';
import type { Point } from '../src/store/vector-store.js';

export function syntheticPoints(
  from: number,
  to: number,
  wordVecs: readonly Float32Array[],
  visualDim: number,
  rnd: () => number,
): Point[] {
  const points: Point[] = [];
  for (let k = from; k < to; k++) {
    const semantic = Float32Array.from(wordVecs[Math.floor(rnd() * wordVecs.length)]!);
    for (let d = 0; d < semantic.length; d++) semantic[d]! += (rnd() - 0.5) * 0.2;
    const visual = new Float32Array(visualDim);
    for (let d = 0; d < visualDim; d++) visual[d] = rnd() - 0.5;
    const payload: ImagePayload = {
      filename: `synthetic-${k}.png`,
      contentType: 'image/png',
      format: 'png',
      width: 256,
      height: 256,
      bytes: 1,
      createdAt: Date.now(),
      source: 'synthetic',
      tags: [],
    };
    points.push({
      id: `synthetic-${String(k).padStart(7, '0')}`,
      vectors: { semantic, visual },
      payload: payload as never,
    });
  }
  return points;
}
