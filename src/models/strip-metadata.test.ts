import sharp, { type Sharp } from 'sharp';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DECODER_LIMITS } from '../training/dataset-features.js';
import { ImageDecoder } from './image-decoder.js';
import { stripMetadata } from './strip-metadata.js';

/** A 64×48 gradient photo-like image, so compression has something to do. */
function picture(channels: 3 | 4 = 3): Sharp {
  const w = 64;
  const h = 48;
  const px = Buffer.alloc(w * h * channels);
  for (let i = 0; i < w * h; i++)
    for (let c = 0; c < channels; c++) px[i * channels + c] = c === 3 ? 128 + (i % 100) : (i * (c + 3)) % 256;
  return sharp(px, { raw: { width: w, height: h, channels } });
}

const PRIVATE = {
  IFD0: { Make: 'PhoneCo', Model: 'Phone 9', Copyright: 'Jane Doe' },
  IFD3: {
    GPSLatitudeRef: 'N',
    GPSLatitude: '51/1 30/1 0/1',
    GPSLongitudeRef: 'W',
    GPSLongitude: '0/1 7/1 0/1',
  },
};
const XMP =
  '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>';

const pixels = (b: Uint8Array) => sharp(b).raw().toBuffer();

async function expectClean(out: Buffer | undefined, original: Uint8Array): Promise<Buffer> {
  expect(out).toBeDefined();
  const meta = await sharp(out).metadata();
  expect(meta.exif).toBeUndefined();
  expect(meta.xmp).toBeUndefined();
  expect(out!.includes('PhoneCo')).toBe(false);
  expect(out!.length).toBeLessThan(original.length);
  // Lossless: the same pixels as the upload.
  expect((await pixels(out!)).equals(await pixels(original))).toBe(true);
  return out!;
}

describe('stripMetadata (uploads kept as they are)', () => {
  it('drops EXIF (GPS, camera), XMP and data after the end of a JPEG, keeping its pixels and ICC profile', async () => {
    const jpeg = await picture().withExif(PRIVATE).withXmp(XMP).withIccProfile('p3').jpeg().toBuffer();
    const withTrailer = Buffer.concat([jpeg, Buffer.from('appended motion-photo video from PhoneCo')]);
    expect((await sharp(jpeg).metadata()).exif).toBeDefined();
    const out = await expectClean(stripMetadata(withTrailer, 'jpeg'), jpeg);
    expect((await sharp(out).metadata()).icc).toBeDefined();
    expect(out.subarray(-2).equals(Buffer.from([0xff, 0xd9]))).toBe(true);
  });

  it('walks every scan of a progressive JPEG', async () => {
    const jpeg = await picture().withExif(PRIVATE).jpeg({ progressive: true }).toBuffer();
    await expectClean(stripMetadata(jpeg, 'jpeg'), jpeg);
  });

  it('drops eXIf and XMP text chunks of a PNG, alpha and all pixels kept', async () => {
    const png = await picture(4).withExif(PRIVATE).withXmp(XMP).png().toBuffer();
    expect((await sharp(png).metadata()).xmp).toBeDefined();
    await expectClean(stripMetadata(png, 'png'), png);
  });

  it('refuses what it cannot pass through cleanly: truncated files, animated PNG, other formats', async () => {
    const jpeg = await picture().jpeg().toBuffer();
    expect(stripMetadata(jpeg.subarray(0, jpeg.length >> 1), 'jpeg')).toBeUndefined();
    expect(stripMetadata(jpeg.subarray(0, 300), 'jpeg')).toBeUndefined();
    const png = await picture().png().toBuffer();
    expect(stripMetadata(png.subarray(0, png.length - 20), 'png')).toBeUndefined();
    // An acTL chunk after IHDR marks an animated PNG (CRC not checked: nothing is decoded).
    const ihdrEnd = 8 + 12 + 13;
    const actl = Buffer.concat([Buffer.from([0, 0, 0, 8]), Buffer.from('acTL'), Buffer.alloc(12)]);
    const apng = Buffer.concat([png.subarray(0, ihdrEnd), actl, png.subarray(ihdrEnd)]);
    expect(stripMetadata(apng, 'png')).toBeUndefined();
    expect(stripMetadata(await picture().webp().toBuffer(), 'webp')).toBeUndefined();
  });
});

describe('ImageDecoder.storedCopies', () => {
  const decoder = new ImageDecoder(DEFAULT_DECODER_LIMITS);
  const copies = async (bytes: Buffer) => decoder.storedCopies(bytes, await decoder.inspect(bytes), 32);

  it('keeps an upright sRGB JPEG or PNG as it is, less its metadata, with a JPEG thumbnail', async () => {
    for (const upload of [
      await picture().withExif(PRIVATE).jpeg().toBuffer(),
      await picture().png().toBuffer(), // opaque PNG: stays PNG, not a lossy JPEG
    ]) {
      const info = await decoder.inspect(upload);
      expect(info.displayableAsIs).toBe(true);
      const got = await copies(upload);
      expect(got.image.equals(stripMetadata(upload, info.format)!)).toBe(true);
      expect(got.imageType).toBe(info.contentType);
      const thumb = await sharp(got.thumbnail).metadata();
      expect([thumb.format, Math.max(thumb.width, thumb.height)]).toEqual(['jpeg', 32]);
    }
  });

  it('re-encodes what a browser would show otherwise: EXIF-rotated, CMYK, GIF', async () => {
    const rotated = await picture().withExif(PRIVATE).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const cmyk = await picture().toColourspace('cmyk').jpeg().toBuffer();
    const gif = await picture().gif().toBuffer();
    for (const upload of [rotated, cmyk, gif]) {
      expect((await decoder.inspect(upload)).displayableAsIs).toBe(false);
      const got = await copies(upload);
      const meta = await sharp(got.image).metadata();
      expect(meta.exif).toBeUndefined();
      expect(meta.space).toBe('srgb');
    }
    // Rotated upright: 48 wide, 64 high.
    const upright = await sharp((await copies(rotated)).image).metadata();
    expect([upright.width, upright.height]).toEqual([48, 64]);
  });
});
