import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  codepointKey,
  ICONIFY_EMOJI_SETS,
  renderIconifyEmoji,
  type IconifyEmojiSet,
} from './iconify-emoji.js';
import { labelWords, type LabelVocabulary } from './label-words.js';
import type { LabelledImage } from './labelled-images.js';
import { photoLikeness } from './photo-likeness.js';

/**
 * The shipped head's training set, built only from installed packages:
 *  - emoji-datasource names + emoji-datasource-twitter / -google 64 px PNGs (domain "emoji")
 *  - the same emoji drawn by other artists: Iconify SVG sets rendered to PNG (domain "emoji")
 *  - Debian tuxpaint-stamps-default PNGs with their English .txt descriptions (domain "stamp")
 */

export const TUXPAINT_STAMPS_DIR = '/usr/share/tuxpaint/stamps';
export const EMOJI_VENDORS = ['twitter', 'google'] as const;
// Flags are country names (not visual concepts); components are skin-tone swatches; keycaps are digits.
const SKIP_CATEGORIES = new Set(['Flags', 'Component']);
const SKIP_SUBCATEGORIES = new Set(['keycap', 'alphanum']);
// Letters and signed letters are text, not objects.
const SKIP_STAMP_DIRS = ['symbols/alphabets/'];

export interface DefaultDatasetOptions {
  /** At most this many images per (concept, source) so generic heads such as "face" do not dominate. */
  maxPerConceptSource?: number;
  stampsDir?: string;
  /** Iconify emoji sets to add (default: all of ICONIFY_EMOJI_SETS); [] keeps Twemoji + Noto only. */
  iconifySets?: readonly IconifyEmojiSet[];
  /** Where the Iconify SVGs are rendered to PNG (default .cache/dataset/iconify). */
  renderDir?: string;
  onProgress?: (stage: string, done: number, total: number) => void;
}

interface EmojiRow {
  name: string | null;
  short_name: string;
  image: string;
  category: string;
  subcategory: string;
  has_img_twitter: boolean;
  has_img_google: boolean;
  unified: string;
  non_qualified: string | null;
}

function emojiLabel(row: EmojiRow, vocab: LabelVocabulary): { label: string; words: string[] } | undefined {
  // The short name when it is itself a noun ("dog", "hot_dog"), else the head noun of the full name.
  const short = row.short_name.replace(/_/g, ' ');
  const fromShort = labelWords(short, vocab);
  if (fromShort.length > 0 && fromShort.join(' ') === short) return { label: short, words: fromShort };
  const name = row.name ?? short;
  const words = labelWords(name, vocab);
  return words.length > 0 ? { label: name.toLowerCase(), words } : undefined;
}

async function emojiItems(
  vocab: LabelVocabulary,
  iconify: readonly Map<string, string>[],
): Promise<LabelledImage[]> {
  const require = createRequire(import.meta.url);
  const rows = JSON.parse(
    await readFile(require.resolve('emoji-datasource/emoji.json'), 'utf8'),
  ) as EmojiRow[];
  const items: LabelledImage[] = [];
  for (const row of rows) {
    if (SKIP_CATEGORIES.has(row.category) || SKIP_SUBCATEGORIES.has(row.subcategory)) continue;
    const label = emojiLabel(row, vocab);
    if (!label) continue;
    const concept = label.words.join(' ');
    const push = (file: string): number =>
      items.push({ path: file, label: label.label, words: label.words, concept, domain: 'emoji' });
    for (const vendor of EMOJI_VENDORS) {
      if (!(vendor === 'twitter' ? row.has_img_twitter : row.has_img_google)) continue;
      const dir = path.dirname(require.resolve(`emoji-datasource-${vendor}/package.json`));
      push(path.join(dir, 'img', vendor, '64', row.image));
    }
    for (const rendered of iconify) {
      const keys = [row.unified, row.non_qualified, row.unified.replace(/-FE0F/g, '')];
      const file = keys.flatMap((k) => (k ? [rendered.get(codepointKey(k))] : [])).find(Boolean);
      if (file) push(file);
    }
  }
  return items;
}

async function walkPngs(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walkPngs(full)));
    else if (e.name.endsWith('.png')) out.push(full);
  }
  return out.sort();
}

async function stampItems(
  vocab: LabelVocabulary,
  stampsDir: string,
  onProgress?: DefaultDatasetOptions['onProgress'],
): Promise<LabelledImage[]> {
  const files = (await walkPngs(stampsDir)).filter((f) => !SKIP_STAMP_DIRS.some((d) => f.includes(`/${d}`)));
  const items: LabelledImage[] = [];
  for (const [i, file] of files.entries()) {
    onProgress?.('stamps', i + 1, files.length);
    // Mirrored variants share their original's description; without a .txt the file name is the label.
    const base = file.replace(/\.png$/, '').replace(/_mirror$/, '');
    const text = await readFile(`${base}.txt`, 'utf8').catch(() => undefined);
    const fromName = path
      .basename(base)
      .replace(/[-_\d]+/g, ' ')
      .trim();
    const description = text?.split('\n')[0]?.trim();
    let label = description ?? fromName;
    let words = labelWords(label, vocab);
    if (words.length === 0 && description) {
      label = fromName;
      words = labelWords(fromName, vocab);
    }
    if (words.length === 0) continue;
    const { photo } = await photoLikeness(file);
    items.push({ path: file, label, words, concept: words.join(' '), domain: 'stamp', photo });
  }
  return items;
}

/** The emoji artist: the Iconify set's render folder, else the emoji-datasource vendor of `…/img/<vendor>/64/x.png`. */
function emojiSource(file: string, renderDir: string): string {
  if (file.startsWith(renderDir + path.sep)) return path.basename(path.dirname(file));
  return file.split(`${path.sep}img${path.sep}`).at(-1)!.split(path.sep)[0]!;
}

/** Builds the item list (paths absolute), capped per (concept, source). */
export async function buildDefaultDataset(
  vocab: LabelVocabulary,
  options: DefaultDatasetOptions = {},
): Promise<LabelledImage[]> {
  const cap = options.maxPerConceptSource ?? 6;
  const renderDir = path.resolve(options.renderDir ?? '.cache/dataset/iconify');
  const iconify: Map<string, string>[] = [];
  for (const set of options.iconifySets ?? (Object.keys(ICONIFY_EMOJI_SETS) as IconifyEmojiSet[]))
    iconify.push(
      await renderIconifyEmoji(set, renderDir, 128, (done, total) =>
        options.onProgress?.(`render ${set}`, done, total),
      ),
    );
  const all = [
    ...(await emojiItems(vocab, iconify)),
    ...(await stampItems(vocab, options.stampsDir ?? TUXPAINT_STAMPS_DIR, options.onProgress)),
  ];
  const counts = new Map<string, number>();
  return all.filter((item) => {
    const source = item.domain === 'emoji' ? emojiSource(item.path, renderDir) : 'stamp';
    const key = `${item.concept}\u0000${source}`;
    const n = counts.get(key) ?? 0;
    counts.set(key, n + 1);
    return n < cap;
  });
}
