import { createHash } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError, ErrorCode } from '../errors.js';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function sha256File(file: string): Promise<string> {
  return sha256Hex(await readFile(file));
}

/** Resolves a manifest's model file and, when the manifest records a checksum, verifies it. */
export async function verifiedModelPath(
  dir: string,
  file: string,
  sha256: string | undefined,
  /** The command that makes this file again, named in the error. */
  rebuild: string,
): Promise<string> {
  const full = path.join(dir, file);
  let actual: string;
  try {
    actual = await sha256File(full);
  } catch (cause) {
    throw new AppError(
      ErrorCode.MODEL_UNAVAILABLE,
      `model file missing: ${full} (run \`${rebuild}\`)`,
      { file: full },
      { cause },
    );
  }
  if (sha256 && actual !== sha256) {
    throw new AppError(
      ErrorCode.MODEL_UNAVAILABLE,
      `model file is corrupt (checksum mismatch): ${full} (run \`${rebuild}\`)`,
      { file: full, expected: sha256, actual },
    );
  }
  return full;
}

/** Write to a temp file in the same directory, then rename: readers never see a half-written model. */
export async function writeAtomic(file: string, data: Uint8Array | string, tmpName: string): Promise<void> {
  const tmp = path.join(path.dirname(file), tmpName);
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** JSON.stringify with short scalar arrays kept on one line, as prettier formats the committed manifest. */
export function toPrettyJson(value: unknown): string {
  const json = JSON.stringify(value, null, 2).replace(
    /\[\s+([^[\]{}]*?)\s+\]/g,
    (_m, body: string) => `[${body.split(/,\s+/).join(', ')}]`,
  );
  return `${json}\n`;
}

/**
 * Writes a built model: the ONNX file first, then its manifest, each through a temp file and a rename, so
 * a manifest never names a file that is not complete.
 */
export async function writeModelFiles(
  dir: string,
  file: string,
  bytes: Uint8Array,
  manifest: unknown,
): Promise<string> {
  const full = path.join(dir, file);
  await writeAtomic(full, bytes, `${path.parse(full).name}.${process.pid}.onnx.tmp`);
  await writeAtomic(
    path.join(dir, 'manifest.json'),
    toPrettyJson(manifest),
    `manifest.${process.pid}.json.tmp`,
  );
  return full;
}
