import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * One self-contained checkpoint file: u32 header length, a JSON header, then the float32 blobs it
 * lists in order. Written to a temp file and renamed so a crash never leaves a half-written file.
 */

export interface CheckpointBlob {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface CheckpointFile<M> {
  meta: M;
  blobs: CheckpointBlob[];
}

export async function writeCheckpoint<M>(file: string, checkpoint: CheckpointFile<M>): Promise<void> {
  const header = Buffer.from(
    JSON.stringify({
      meta: checkpoint.meta,
      blobs: checkpoint.blobs.map((b) => ({ name: b.name, shape: b.shape, length: b.data.length })),
    }),
  );
  const len = Buffer.alloc(4);
  len.writeUInt32LE(header.length);
  const parts = [
    len,
    header,
    ...checkpoint.blobs.map((b) => Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength)),
  ];
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, Buffer.concat(parts));
  await rename(tmp, file);
}

export async function readCheckpoint<M>(file: string): Promise<CheckpointFile<M>> {
  const buf = await readFile(file);
  const headerLength = buf.readUInt32LE(0);
  const header = JSON.parse(buf.toString('utf8', 4, 4 + headerLength)) as {
    meta: M;
    blobs: { name: string; shape: number[]; length: number }[];
  };
  let offset = 4 + headerLength;
  const blobs = header.blobs.map((b) => {
    // Copy: the Buffer's offset is not guaranteed to be 4-byte aligned.
    const data = new Float32Array(b.length);
    Buffer.from(data.buffer).set(buf.subarray(offset, offset + b.length * 4));
    offset += b.length * 4;
    return { name: b.name, shape: b.shape, data };
  });
  return { meta: header.meta, blobs };
}
