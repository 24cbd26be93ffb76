import sharp, { type Metadata, type OutputInfo, type Sharp } from 'sharp';
import { AppError, ErrorCode } from '../errors.js';
import type { EncoderManifest } from './manifest.js';
import { hasText, stripMetadata } from './strip-metadata.js';

/** Formats accepted as input. SVG is refused: rendering it can reach files and URLs (see README limits). */
export const SUPPORTED_FORMATS = ['jpeg', 'png', 'webp', 'gif', 'avif', 'heif', 'tiff'] as const;
const SUPPORTED = new Set<string>(SUPPORTED_FORMATS);

export interface DecoderLimits {
  /** Largest accepted width × height (decompression-bomb guard, checked before decoding pixels). */
  maxPixels: number;
  /** Largest accepted side, to refuse extreme aspect ratios such as 1×100000. */
  maxSide: number;
  /** Largest number of frames/pages declared by an animated or multi-page file. */
  maxPages: number;
}

export interface ImageInfo {
  format: string;
  contentType: string;
  /** Display size, after EXIF orientation. */
  width: number;
  height: number;
  pages: number;
  /**
   * A JPEG or PNG every browser shows as it is: upright (no EXIF rotation), 8-bit sRGB or grey, one
   * frame. Such an upload is kept byte for byte, less its metadata (strip-metadata.ts).
   */
  displayableAsIs: boolean;
}

/** What the media store keeps of an image. */
export interface StoredCopies {
  image: Buffer;
  imageType: string;
  thumbnail: Buffer;
}

const CONTENT_TYPES: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
  heif: 'image/heif',
  tiff: 'image/tiff',
};

/**
 * The one place images are decoded (sharp). Validates before decoding pixels, then produces model input
 * tensors and the stored copies (normalised JPEG/PNG + thumbnail).
 */
export class ImageDecoder {
  constructor(private readonly limits: DecoderLimits) {}

  private open(bytes: Uint8Array): Sharp {
    // pages: 1 — only the first frame of an animation is ever decoded; failOn 'error' rejects corrupt data.
    return sharp(bytes, {
      limitInputPixels: this.limits.maxPixels,
      failOn: 'error',
      pages: 1,
      autoOrient: true,
    });
  }

  /** Reads the header only; throws UNSUPPORTED_IMAGE or IMAGE_TOO_LARGE. */
  async inspect(bytes: Uint8Array): Promise<ImageInfo> {
    if (bytes.length === 0) throw new AppError(ErrorCode.UNSUPPORTED_IMAGE, 'the file is empty');
    // Sniff before any libvips loader sees the bytes: SVG (librsvg parses XML, entities, hrefs) and every
    // other format libvips knows never reach a parser.
    if (!hasSupportedSignature(bytes)) {
      throw new AppError(ErrorCode.UNSUPPORTED_IMAGE, 'the file is not a supported image', {
        supported: [...SUPPORTED_FORMATS],
      });
    }
    let meta: Metadata;
    try {
      meta = await sharp(bytes, { limitInputPixels: false, pages: 1 }).metadata();
    } catch (cause) {
      throw new AppError(ErrorCode.UNSUPPORTED_IMAGE, 'the file is not a readable image', {}, { cause });
    }
    const format = String(meta.format ?? 'unknown');
    // libvips reports AVIF through the heif loader; sharp names it by compression.
    const named = format === 'heif' && meta.compression === 'av1' ? 'avif' : format;
    if (!SUPPORTED.has(named)) {
      throw new AppError(ErrorCode.UNSUPPORTED_IMAGE, `unsupported image format: ${named}`, {
        format: named,
        supported: [...SUPPORTED_FORMATS],
      });
    }
    const orientedSwap = (meta.orientation ?? 1) >= 5;
    const w = meta.width ?? 0;
    const h = meta.pageHeight ?? meta.height ?? 0;
    const width = orientedSwap ? h : w;
    const height = orientedSwap ? w : h;
    const pages = meta.pages ?? 1;
    if (width <= 0 || height <= 0) throw new AppError(ErrorCode.UNSUPPORTED_IMAGE, 'the image has no pixels');
    if (width * height > this.limits.maxPixels || Math.max(width, height) > this.limits.maxSide) {
      throw new AppError(
        ErrorCode.IMAGE_TOO_LARGE,
        `image is ${width}×${height}; the limit is ${this.limits.maxPixels} pixels and ${this.limits.maxSide} px a side`,
        { width, height, maxPixels: this.limits.maxPixels, maxSide: this.limits.maxSide },
      );
    }
    if (pages > this.limits.maxPages) {
      throw new AppError(
        ErrorCode.IMAGE_TOO_LARGE,
        `image has ${pages} frames; the limit is ${this.limits.maxPages}`,
        {
          pages,
        },
      );
    }
    return {
      format: named,
      contentType: CONTENT_TYPES[named] ?? 'application/octet-stream',
      width,
      height,
      pages,
      displayableAsIs:
        (named === 'jpeg' || named === 'png') &&
        (meta.orientation ?? 1) === 1 &&
        pages === 1 &&
        (meta.space === 'srgb' || meta.space === 'b-w') &&
        meta.depth === 'uchar',
    };
  }

  /** Model input, laid out as the manifest says (NHWC or NCHW), normalised. Call after inspect. */
  async toTensor(bytes: Uint8Array, input: EncoderManifest['input']): Promise<Float32Array> {
    let raw: { data: Buffer; info: OutputInfo };
    try {
      raw = await this.open(bytes)
        .flatten({ background: '#ffffff' })
        .toColourspace('srgb')
        .resize(input.width, input.height, { fit: input.resize, background: '#ffffff' })
        .removeAlpha()
        .raw({ depth: 'uchar' })
        .toBuffer({ resolveWithObject: true });
    } catch (cause) {
      throw decodeError(cause);
    }
    return pixelsToTensor(raw.data, raw.info.channels, input);
  }

  /**
   * The copy of the upload the media store keeps, and a JPEG thumbnail. A JPEG or PNG browsers show as
   * it is (ImageInfo.displayableAsIs) is kept byte for byte less its metadata: no generation loss, and
   * no full decode and re-encode (both copies of a 12 MP JPEG: 20 instead of 167 ms of CPU; of a held-out
   * photo 3.9 instead of 6.0). Anything else becomes a JPEG, or PNG when it has alpha, both copies from
   * one full decode, without metadata. Plain libjpeg-turbo, not mozjpeg: 2.8 against 16.1 ms a photo
   * for files 12 % larger (scripts/stored-copy-cost.ts).
   */
  async storedCopies(bytes: Uint8Array, info: ImageInfo, thumbnailSize: number): Promise<StoredCopies> {
    const asIs = info.displayableAsIs ? stripMetadata(bytes, info.format) : undefined;
    if (asIs)
      return {
        image: asIs,
        imageType: info.contentType,
        thumbnail: await this.thumbnail(bytes, thumbnailSize),
      };
    return this.reencodedCopies(bytes, thumbnailSize);
  }

  /** Straight from the upload: a JPEG is decoded at a fraction of its size (shrink-on-load). */
  private async thumbnail(bytes: Uint8Array, size: number): Promise<Buffer> {
    try {
      return await this.open(bytes)
        .flatten({ background: '#ffffff' })
        .resize(size, size, { fit: 'inside', withoutEnlargement: true })
        .jpeg({ quality: 80 })
        .toBuffer();
    } catch (cause) {
      throw decodeError(cause);
    }
  }

  private async reencodedCopies(bytes: Uint8Array, thumbnailSize: number): Promise<StoredCopies> {
    try {
      const { data, info } = await this.open(bytes)
        .toColourspace('srgb')
        .raw({ depth: 'uchar' })
        .toBuffer({ resolveWithObject: true });
      const raw = { raw: { width: info.width, height: info.height, channels: info.channels } };
      const hasAlpha = info.channels === 4 || info.channels === 2;
      const pixels = () => sharp(data, raw);
      const image = hasAlpha
        ? await pixels().png({ compressionLevel: 6 }).toBuffer()
        : await pixels().jpeg({ quality: 90 }).toBuffer();
      const thumbnail = await pixels()
        .flatten({ background: '#ffffff' })
        .resize(thumbnailSize, thumbnailSize, { fit: 'inside', withoutEnlargement: true })
        .jpeg({ quality: 80 })
        .toBuffer();
      return { image, imageType: hasAlpha ? 'image/png' : 'image/jpeg', thumbnail };
    } catch (cause) {
      throw decodeError(cause);
    }
  }
}

/** Magic bytes of SUPPORTED_FORMATS: JPEG, PNG, GIF, WebP (RIFF), TIFF (both byte orders), HEIF/AVIF (ftyp). */
function hasSupportedSignature(b: Uint8Array): boolean {
  return (
    (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) ||
    hasText(b, 0, '\x89PNG') ||
    hasText(b, 0, 'GIF8') ||
    (hasText(b, 0, 'RIFF') && hasText(b, 8, 'WEBP')) ||
    hasText(b, 0, 'II*\0') ||
    hasText(b, 0, 'MM\0*') ||
    hasText(b, 4, 'ftyp')
  );
}

function decodeError(cause: unknown): AppError {
  const message = cause instanceof Error ? cause.message : String(cause);
  if (/pixel limit|exceeds/i.test(message)) {
    return new AppError(ErrorCode.IMAGE_TOO_LARGE, 'image exceeds the pixel limit', {}, { cause });
  }
  return new AppError(ErrorCode.UNSUPPORTED_IMAGE, 'the image data is corrupt or truncated', {}, { cause });
}

/** uint8 RGB(A) pixels (row-major HWC) → normalised float tensor in the manifest's layout. */
export function pixelsToTensor(
  pixels: Uint8Array,
  channels: number,
  input: EncoderManifest['input'],
): Float32Array {
  const { width, height, scale, mean, std, layout } = input;
  const n = width * height;
  if (pixels.length < n * channels) throw new Error(`expected ${n * channels} bytes, got ${pixels.length}`);
  const out = new Float32Array(n * 3);
  // One lookup table per channel (256 values each, the same formula): no division per pixel.
  const lut = new Float32Array(768);
  for (let c = 0; c < 3; c++)
    for (let v = 0; v < 256; v++) lut[c * 256 + v] = (v / scale - mean[c]!) / std[c]!;
  // Grey input (1 channel) repeats its one band. One pass per pixel, the layout's strides hoisted:
  // 0.35 instead of 0.9 ms for 260×260.
  const [g, b] = channels >= 3 ? [1, 2] : [0, 0];
  const [step, plane] = layout === 'NHWC' ? [3, 1] : [1, n];
  for (let p = 0, i = 0, o = 0; p < n; p++, i += channels, o += step) {
    out[o] = lut[pixels[i]!]!;
    out[o + plane] = lut[256 + pixels[i + g]!]!;
    out[o + 2 * plane] = lut[512 + pixels[i + b]!]!;
  }
  return out;
}
