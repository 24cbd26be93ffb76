import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { glob } from 'tinyglobby';
import { isAppError } from '../errors.js';
import type { IngestService } from './ingest.service.js';

export const IMAGE_EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp', 'gif', 'avif', 'heic', 'heif', 'tif', 'tiff'];

export interface FileFailure {
  file: string;
  code: string;
  message: string;
}

export interface FileIngestReport {
  total: number;
  created: number;
  skipped: number;
  failed: FileFailure[];
}

/** Paths, directories (recursed) and globs → image files, sorted and de-duplicated. */
export async function expandImagePaths(patterns: string[]): Promise<string[]> {
  const files = new Set<string>();
  const ext = `{${IMAGE_EXTENSIONS.flatMap((e) => [e, e.toUpperCase()]).join(',')}}`;
  for (const pattern of patterns) {
    const info = await stat(pattern).catch(() => undefined);
    if (info?.isFile()) files.add(path.resolve(pattern));
    else if (info?.isDirectory()) {
      for (const f of await glob(`**/*.${ext}`, { cwd: pattern, absolute: true, dot: false })) files.add(f);
    } else {
      for (const f of await glob(pattern, { absolute: true })) {
        if (IMAGE_EXTENSIONS.includes(path.extname(f).slice(1).toLowerCase())) files.add(f);
      }
    }
  }
  return [...files].sort();
}

/**
 * Ingests files with bounded concurrency. Rerunning is cheap and safe: stored content hashes are skipped,
 * so an interrupted run resumes where it stopped.
 */
export async function ingestFiles(
  ingest: IngestService,
  files: string[],
  options: { concurrency: number; onProgress?: (done: number, total: number) => void },
): Promise<FileIngestReport> {
  const report: FileIngestReport = { total: files.length, created: 0, skipped: 0, failed: [] };
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++]!;
      try {
        const bytes = await readFile(file);
        const { created } = await ingest.ingest(bytes, { filename: path.basename(file), source: 'cli' });
        if (created) report.created++;
        else report.skipped++;
      } catch (e) {
        report.failed.push({
          file,
          code: isAppError(e) ? e.code : 'INTERNAL_SERVER_ERROR',
          message: e instanceof Error ? e.message : String(e),
        });
      }
      options.onProgress?.(++done, files.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  report.failed.sort((a, b) => a.file.localeCompare(b.file));
  return report;
}
