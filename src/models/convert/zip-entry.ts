import { inflateRawSync } from 'node:zlib';

/**
 * Reads one member of a ZIP archive (a Python wheel) from memory: the central directory names it, its
 * local header locates the data, stored or deflated. Enough for wheels; no ZIP64, no encryption.
 */
export function readZipEntry(zip: Uint8Array, name: string): Uint8Array {
  const buf = Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength);
  const eocd = findEndOfCentralDirectory(buf);
  const entries = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  for (let i = 0; i < entries; i++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error('zip: corrupt central directory');
    const method = buf.readUInt16LE(at + 10);
    const compressedSize = buf.readUInt32LE(at + 20);
    const size = buf.readUInt32LE(at + 24);
    const nameLength = buf.readUInt16LE(at + 28);
    const extraLength = buf.readUInt16LE(at + 30);
    const commentLength = buf.readUInt16LE(at + 32);
    const localHeader = buf.readUInt32LE(at + 42);
    const entryName = buf.toString('utf8', at + 46, at + 46 + nameLength);
    if (entryName === name) {
      if (buf.readUInt32LE(localHeader) !== 0x04034b50) throw new Error('zip: corrupt local header');
      const start =
        localHeader + 30 + buf.readUInt16LE(localHeader + 26) + buf.readUInt16LE(localHeader + 28);
      const raw = buf.subarray(start, start + compressedSize);
      const data = method === 0 ? raw : method === 8 ? inflateRawSync(raw) : undefined;
      if (!data) throw new Error(`zip: ${name} uses unsupported compression method ${method}`);
      if (data.length !== size) throw new Error(`zip: ${name} inflated to ${data.length} bytes, not ${size}`);
      return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    }
    at += 46 + nameLength + extraLength + commentLength;
  }
  throw new Error(`zip: no member named ${name}`);
}

function findEndOfCentralDirectory(buf: Buffer): number {
  // The record is 22 bytes plus a comment of at most 65535 bytes at the very end.
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) return i;
  }
  throw new Error('zip: end of central directory not found (not a ZIP file?)');
}
