import { describe, expect, it } from 'vitest';
import { pixelsToTensor } from './image-decoder.js';
import type { EncoderManifest } from './manifest.js';

const input = (layout: 'NHWC' | 'NCHW'): EncoderManifest['input'] => ({
  name: 'image',
  width: 5,
  height: 3,
  layout,
  resize: 'cover',
  scale: 255,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
});

/** The formula, element by element, in the manifest's layout. */
function reference(px: Uint8Array, channels: number, layout: 'NHWC' | 'NCHW'): Float32Array {
  const { width, height, scale, mean, std } = input(layout);
  const n = width * height;
  const out = new Float32Array(n * 3);
  for (let p = 0; p < n; p++)
    for (let c = 0; c < 3; c++) {
      const v = px[p * channels + (channels >= 3 ? c : 0)]!;
      out[layout === 'NHWC' ? p * 3 + c : c * n + p] = (v / scale - mean[c]!) / std[c]!;
    }
  return out;
}

describe('pixelsToTensor', () => {
  it.each([
    [1, 'NHWC'],
    [3, 'NHWC'],
    [4, 'NHWC'],
    [1, 'NCHW'],
    [3, 'NCHW'],
    [4, 'NCHW'],
  ] as const)('%i-channel pixels to %s', (channels, layout) => {
    const px = Uint8Array.from({ length: 15 * channels }, (_, i) => (i * 37 + 11) % 256);
    expect(pixelsToTensor(px, channels, input(layout))).toEqual(reference(px, channels, layout));
  });
});
