import { randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import type { UploadFile } from '../support/graphql-client.js';

/**
 * Hostile and awkward inputs, generated at test time (nothing binary is committed). Each entry says what
 * the server must answer: a typed error code, or success.
 */

export interface HostileCase {
  name: string;
  file: UploadFile;
  /** Error codes accepted for this file; empty means it must succeed. */
  expect: string[];
}

export function crc32(buf: Uint8Array): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A 1-bit greyscale PNG of `side`×`side` zeros: ~900 M pixels in ~100 kB (decompression bomb). */
export function pngBomb(side = 30_000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr.set([1, 0, 0, 0, 0], 8); // bit depth 1, greyscale, deflate, no filter, no interlace
  const row = 1 + Math.ceil(side / 8);
  const idat = deflateSync(Buffer.alloc(row * side), { level: 9 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', idat),
    pngChunk('IEND', new Uint8Array()),
  ]);
}

/** A 1×1 GIF89a with `frames` frames (hand-written: header, palette, one tiny LZW image per frame). */
export function manyFrameGif(frames: number): Buffer {
  const parts: Buffer[] = [
    Buffer.from('GIF89a', 'latin1'),
    Buffer.from([1, 0, 1, 0, 0x80, 0, 0]), // 1×1, global colour table of 2 entries
    Buffer.from([0, 0, 0, 255, 255, 255]),
    Buffer.from([0x21, 0xff, 0x0b, ...Buffer.from('NETSCAPE2.0', 'latin1'), 3, 1, 0, 0, 0]),
  ];
  // Frames alternate black and white, so no encoder can merge them.
  const frame = (pixel: 0 | 1) =>
    Buffer.from([
      0x21,
      0xf9,
      4,
      0,
      1,
      0,
      0,
      0, // graphic control: 10 ms delay
      0x2c,
      0,
      0,
      0,
      0,
      1,
      0,
      1,
      0,
      0, // image descriptor 1×1
      2,
      2,
      0x44 | (pixel << 3),
      0x01,
      0, // LZW: min code size 2, clear, pixel, end
    ]);
  for (let i = 0; i < frames; i++) parts.push(frame((i & 1) as 0 | 1));
  parts.push(Buffer.from([0x3b]));
  return Buffer.concat(parts);
}

/** A minimal valid 2×2 24-bit BMP: a real image in a format the decoder does not accept. */
export function bmp(): Buffer {
  const row = 8; // 2 px × 3 bytes, padded to 4
  const buf = Buffer.alloc(54 + row * 2);
  buf.write('BM', 0, 'latin1');
  buf.writeUInt32LE(buf.length, 2);
  buf.writeUInt32LE(54, 10);
  buf.writeUInt32LE(40, 14);
  buf.writeInt32LE(2, 18);
  buf.writeInt32LE(2, 22);
  buf.writeUInt16LE(1, 26);
  buf.writeUInt16LE(24, 28);
  buf.writeUInt32LE(row * 2, 34);
  buf.fill(0x80, 54);
  return buf;
}

/** An SVG that would read a local file (XXE) and fetch `fetchUrl` if anything rendered it. */
export function hostileSvg(fetchUrl: string): Buffer {
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE svg [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="64" height="64">
  <text x="0" y="20">&xxe;</text>
  <image href="${fetchUrl}" xlink:href="${fetchUrl}" width="64" height="64"/>
</svg>
`,
  );
}

/** Random RGB noise: distinct bytes (so distinct ids) every call. */
export async function noise(width: number, height: number, format: 'png' | 'jpeg' = 'png'): Promise<Buffer> {
  const img = sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } });
  return format === 'png' ? img.png().toBuffer() : img.jpeg({ quality: 90 }).toBuffer();
}

const file = (bytes: Uint8Array, filename: string, type = 'application/octet-stream'): UploadFile => ({
  bytes,
  filename,
  type,
});

/** Files that are refused, each with the codes it may get. `svgFetchUrl` is where the SVG points. */
export async function hostileCorpus(svgFetchUrl: string): Promise<HostileCase[]> {
  const jpeg = await noise(256, 256, 'jpeg');
  const png = await noise(256, 256, 'png');
  const animatedWebp = await sharp(manyFrameGif(2000), { animated: true }).webp({ effort: 0 }).toBuffer();
  const tooLarge = ['IMAGE_TOO_LARGE'];
  const unsupported = ['UNSUPPORTED_IMAGE'];
  return [
    { name: 'empty file', file: file(new Uint8Array(), 'empty.png', 'image/png'), expect: unsupported },
    {
      name: 'truncated JPEG',
      file: file(jpeg.subarray(0, jpeg.length >> 1), 'cut.jpg', 'image/jpeg'),
      expect: unsupported,
    },
    {
      name: 'truncated PNG',
      file: file(png.subarray(0, png.length >> 1), 'cut.png', 'image/png'),
      expect: unsupported,
    },
    {
      name: 'text named .png',
      file: file(Buffer.from('hello, I am not an image\n'.repeat(20)), 'text.png', 'image/png'),
      expect: unsupported,
    },
    {
      name: '60 MB random body',
      file: file(randomBytes(60 * 1024 * 1024), 'big.jpg', 'image/jpeg'),
      expect: tooLarge,
    },
    { name: 'PNG bomb 30000×30000', file: file(pngBomb(), 'bomb.png', 'image/png'), expect: tooLarge },
    {
      name: 'GIF with 5000 frames',
      file: file(manyFrameGif(5000), 'frames.gif', 'image/gif'),
      expect: tooLarge,
    },
    {
      name: 'WebP with 2000 frames',
      file: file(animatedWebp, 'frames.webp', 'image/webp'),
      expect: tooLarge,
    },
    { name: 'BMP (unsupported format)', file: file(bmp(), 'old.bmp', 'image/bmp'), expect: unsupported },
    {
      name: 'SVG with XXE and external image',
      file: file(hostileSvg(svgFetchUrl), 'evil.svg', 'image/svg+xml'),
      expect: unsupported,
    },
    {
      name: '1×20000 extreme aspect ratio',
      file: file(
        await sharp({ create: { width: 1, height: 20_000, channels: 3, background: '#888' } })
          .png()
          .toBuffer(),
        'thin.png',
        'image/png',
      ),
      expect: tooLarge,
    },
  ];
}

export interface WorkingCase {
  name: string;
  file: UploadFile;
  /** Display size the server must report (EXIF orientation applied). */
  width: number;
  height: number;
}

/** Unusual but valid images that must be accepted. */
export async function workingCorpus(): Promise<WorkingCase[]> {
  const raw = (channels: 1 | 2 | 3 | 4, w = 48, h = 32) =>
    sharp(randomBytes(w * h * channels), { raw: { width: w, height: h, channels } });
  return [
    {
      name: '16-bit PNG',
      file: file(await raw(3).png().toColourspace('rgb16').toBuffer(), 'deep.png', 'image/png'),
      width: 48,
      height: 32,
    },
    {
      name: 'CMYK JPEG',
      file: file(await raw(3).toColourspace('cmyk').jpeg().toBuffer(), 'cmyk.jpg', 'image/jpeg'),
      width: 48,
      height: 32,
    },
    {
      name: 'grey+alpha PNG',
      file: file(await raw(2).png().toBuffer(), 'ga.png', 'image/png'),
      width: 48,
      height: 32,
    },
    {
      name: 'palette PNG',
      file: file(await raw(3).png({ palette: true, colours: 16 }).toBuffer(), 'pal.png', 'image/png'),
      width: 48,
      height: 32,
    },
    {
      name: 'EXIF orientation 6 JPEG',
      file: file(
        await raw(3).jpeg().withMetadata({ orientation: 6 }).toBuffer(),
        'rotated.jpg',
        'image/jpeg',
      ),
      width: 32,
      height: 48,
    },
    // The declared type is only a hint: a PNG sent as image/jpeg is read as the PNG it is.
    {
      name: 'PNG declared as image/jpeg',
      file: file(await raw(3).png().toBuffer(), 'liar.jpg', 'image/jpeg'),
      width: 48,
      height: 32,
    },
  ];
}
