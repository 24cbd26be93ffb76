import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError, ErrorCode } from '../errors.js';
import { labelWords, type LabelVocabulary } from './label-words.js';

export const IMAGE_EXTENSIONS = new Set([
  '.jpg',
  '.jpeg',
  '.png',
  '.webp',
  '.gif',
  '.avif',
  '.heic',
  '.heif',
  '.tif',
  '.tiff',
]);

/** One training image: its label text, the label words it maps to, and the concept (words joined by a space). */
export interface LabelledImage {
  path: string;
  label: string;
  concept: string;
  words: string[];
  /** Where the image comes from (e.g. emoji, stamp); free text for user data. */
  domain?: string;
  /** Looks like a photograph (see photo-likeness.ts); only set by the default dataset builder. */
  photo?: boolean;
}

export interface LabelledImages {
  items: LabelledImage[];
  /** Labels that hold no known noun, with how many images they had. */
  skippedLabels: { label: string; images: number }[];
}

/** Minimal CSV field splitter: commas, double-quoted fields with "" escapes. */
export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted && c === '"' && line[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (c === ',' && !quoted) {
      out.push(field);
      field = '';
    } else {
      field += c;
    }
  }
  out.push(field);
  return out.map((f) => f.trim());
}

async function walkImages(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walkImages(full)));
    else if (entry.isFile() && IMAGE_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) out.push(full);
  }
  return out.sort();
}

async function rawPairs(
  source: string,
): Promise<{ path: string; label: string; extra?: Partial<LabelledImage> }[]> {
  const info = await stat(source).catch(() => undefined);
  if (!info) throw new AppError(ErrorCode.BAD_USER_INPUT, `labelled images not found: ${source}`, { source });
  if (info.isDirectory()) {
    // Folder per label: every image under <source>/<label>/ (any depth) has that label.
    const pairs = [];
    for (const entry of (await readdir(source, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      if (!entry.isDirectory()) continue;
      for (const file of await walkImages(path.join(source, entry.name)))
        pairs.push({ path: file, label: entry.name });
    }
    return pairs;
  }
  const base = path.dirname(source);
  const text = await readFile(source, 'utf8');
  if (source.endsWith('.json')) {
    // The default dataset manifest written by scripts/build-default-dataset.ts.
    const rows = JSON.parse(text) as LabelledImage[];
    return rows.map((r) => ({ path: path.resolve(base, r.path), label: r.label, extra: r }));
  }
  const pairs = [];
  for (const [n, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [file, label] = parseCsvLine(line);
    if (n === 0 && file?.toLowerCase() === 'path' && label?.toLowerCase() === 'label') continue;
    if (!file || !label)
      throw new AppError(ErrorCode.BAD_USER_INPUT, `${source}:${n + 1}: expected "path,label"`, {
        line: n + 1,
      });
    pairs.push({ path: path.resolve(base, file), label });
  }
  return pairs;
}

/**
 * Reads labelled images from a folder-per-label tree, a `path,label` CSV (paths relative to the CSV),
 * or the default dataset's JSON manifest, and maps each label to label words.
 */
export async function readLabelledImages(source: string, vocab: LabelVocabulary): Promise<LabelledImages> {
  const pairs = await rawPairs(source);
  const items: LabelledImage[] = [];
  const skipped = new Map<string, number>();
  const cache = new Map<string, string[]>();
  for (const p of pairs) {
    let words = p.extra?.words ?? cache.get(p.label);
    if (!words) {
      words = labelWords(p.label, vocab);
      cache.set(p.label, words);
    }
    if (words.length === 0 || !words.every((w) => vocab.isKnown(w))) {
      skipped.set(p.label, (skipped.get(p.label) ?? 0) + 1);
      continue;
    }
    items.push({ ...p.extra, path: p.path, label: p.label, words, concept: words.join(' ') });
  }
  return { items, skippedLabels: [...skipped].map(([label, images]) => ({ label, images })) };
}
