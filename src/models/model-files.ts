import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError, ErrorCode } from '../errors.js';

export async function sha256File(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
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
