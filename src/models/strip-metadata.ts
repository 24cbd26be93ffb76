/**
 * Lossless metadata removal for uploads kept as they are (see ImageDecoder.storedCopies): the image data
 * is copied byte for byte, and everything that may identify a person, place or device (EXIF with GPS,
 * XMP, IPTC, comments, text chunks, embedded thumbnails, data after the end of the image) is left out.
 * Returns undefined for anything a browser might not show as it is or that does not parse cleanly; the
 * caller then re-encodes, as for every other format.
 */

const u16 = (b: Uint8Array, at: number) => (b[at]! << 8) | b[at + 1]!;
const u32 = (b: Uint8Array, at: number) =>
  ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
/** The bytes at [at, at + length) as latin1 text, cut short at the end of `b`. */
export const latin1 = (b: Uint8Array, at: number, length: number) =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1', at, at + length);
/** Whether `s` (ASCII) is written at `at`. */
export const hasText = (b: Uint8Array, at: number, s: string) => latin1(b, at, s.length) === s;

export function stripMetadata(bytes: Uint8Array, format: string): Buffer | undefined {
  if (format === 'jpeg') return stripJpeg(bytes);
  if (format === 'png') return stripPng(bytes);
  return undefined;
}

// JPEG markers (ITU T.81 table B.1).
const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const APP0 = 0xe0;
const APP2 = 0xe2;
const APP14 = 0xee;
const COM = 0xfe;
/** Frame types every browser decodes: baseline, extended sequential, progressive (Huffman coded). */
const BROWSER_FRAMES = new Set([0xc0, 0xc1, 0xc2]);
/** Other frame types: lossless, hierarchical, arithmetic coded. */
const OTHER_FRAMES = new Set([0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

/** Application segments that carry how to show the pixels: JFIF, the ICC profile, Adobe's colour transform. */
function keepApp(marker: number, b: Uint8Array, data: number): boolean {
  if (marker === APP0) return hasText(b, data, 'JFIF\0');
  if (marker === APP2) return hasText(b, data, 'ICC_PROFILE\0');
  if (marker === APP14) return hasText(b, data, 'Adobe');
  return false;
}

function stripJpeg(b: Uint8Array): Buffer | undefined {
  if (b[0] !== 0xff || b[1] !== SOI) return undefined;
  const parts: Uint8Array[] = [b.subarray(0, 2)];
  let at = 2;
  let frame = false;
  for (;;) {
    if (at + 4 > b.length || b[at] !== 0xff) return undefined;
    while (b[at + 1] === 0xff && at + 5 <= b.length) at++; // fill bytes before a marker
    const marker = b[at + 1]!;
    const length = u16(b, at + 2);
    const end = at + 2 + length;
    if (length < 2 || end > b.length) return undefined;
    if (OTHER_FRAMES.has(marker)) return undefined;
    if (BROWSER_FRAMES.has(marker)) {
      if (b[at + 4] !== 8) return undefined; // 12-bit samples
      frame = true;
    }
    const isApp = marker >= APP0 && marker <= 0xef;
    if ((!isApp && marker !== COM) || (isApp && keepApp(marker, b, at + 4))) parts.push(b.subarray(at, end));
    at = end;
    if (marker === SOS) break;
  }
  if (!frame) return undefined;
  const eoi = endOfScans(b, at);
  if (eoi === undefined) return undefined;
  parts.push(b.subarray(at, eoi));
  return Buffer.concat(parts);
}

/**
 * The offset just past EOI, walking entropy-coded data (where 0xFF is always followed by a stuffed 0x00
 * or a restart marker) and the segments between a progressive image's scans; undefined if truncated.
 */
function endOfScans(b: Uint8Array, from: number): number | undefined {
  let at = from;
  while (at + 1 < b.length) {
    if (b[at] !== 0xff) {
      at++;
      continue;
    }
    const next = b[at + 1]!;
    if (next === 0x00 || next === 0xff || (next >= 0xd0 && next <= 0xd7)) {
      at += next === 0xff ? 1 : 2;
      continue;
    }
    if (next === EOI) return at + 2;
    if (at + 4 > b.length || (next >= APP0 && next <= 0xef) || next === COM) return undefined;
    // DHT, DQT, DRI, SOS … between scans: skip the segment's body, whose bytes are not entropy-coded.
    at += 2 + u16(b, at + 2);
  }
  return undefined;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Chunks that make up or say how to show the pixels; the rest (text, eXIf, tIME, private) are left out. */
const PNG_KEEP = new Set([
  'IHDR',
  'PLTE',
  'IDAT',
  'IEND',
  'tRNS',
  'gAMA',
  'cHRM',
  'sRGB',
  'iCCP',
  'sBIT',
  'bKGD',
  'pHYs',
  'cICP',
]);
/** Animated PNG: stored as its first frame, re-encoded like GIF and WebP. */
const APNG = new Set(['acTL', 'fcTL', 'fdAT']);

function stripPng(b: Uint8Array): Buffer | undefined {
  if (b.length < 8 || PNG_SIGNATURE.some((v, i) => b[i] !== v)) return undefined;
  const parts: Uint8Array[] = [b.subarray(0, 8)];
  let at = 8;
  while (at + 12 <= b.length) {
    const length = u32(b, at);
    const type = latin1(b, at + 4, 4);
    const end = at + 12 + length;
    if (end > b.length) return undefined;
    if (APNG.has(type)) return undefined;
    if (PNG_KEEP.has(type)) parts.push(b.subarray(at, end));
    at = end;
    if (type === 'IEND') return Buffer.concat(parts);
  }
  return undefined;
}
