/**
 * Builds the default head's training set from installed packages (emoji PNGs + Tux Paint stamps) and
 * writes `.cache/dataset/default.json` and `default.csv`. Run: npx tsc -p tsconfig.build.json &&
 * node dist/scripts/build-default-dataset.js
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildDefaultDataset } from '../src/training/default-dataset.js';
import { ICONIFY_EMOJI_SETS, isIconifyEmojiSet } from '../src/training/iconify-emoji.js';
import { loadWordSpace } from '../src/training/word-space.js';

const outDir = path.resolve(process.argv[2] ?? '.cache/dataset');
const started = Date.now();
const space = await loadWordSpace();
const vocab = {
  isKnown: (w: string) => space.lookup(w) !== undefined,
  isNoun: (w: string) => space.nouns.has(w),
};
// ICONIFY_SETS=a,b picks Iconify sets (empty: none); unknown names fail before anything runs.
const iconifySets = process.env.ICONIFY_SETS?.split(',').filter(Boolean);
const unknown = iconifySets?.filter((s) => !isIconifyEmojiSet(s)) ?? [];
if (unknown.length > 0)
  throw new Error(
    `unknown ICONIFY_SETS ${unknown.join(', ')}; known: ${Object.keys(ICONIFY_EMOJI_SETS).join(', ')}`,
  );
const items = await buildDefaultDataset(vocab, {
  ...(iconifySets ? { iconifySets: iconifySets.filter(isIconifyEmojiSet) } : {}),
  renderDir: path.join(outDir, 'iconify'),
});
await mkdir(outDir, { recursive: true });
await writeFile(path.join(outDir, 'default.json'), JSON.stringify(items, null, 1));
const csv = ['path,concept,words,domain,photo,label']
  .concat(
    items.map((i) =>
      [
        i.path,
        i.concept,
        i.words.join(' '),
        i.domain,
        i.photo ? 1 : 0,
        `"${i.label.replace(/"/g, '""')}"`,
      ].join(','),
    ),
  )
  .join('\n');
await writeFile(path.join(outDir, 'default.csv'), `${csv}\n`);
const concepts = new Set(items.map((i) => i.concept));
const byDomain = (d: string) => items.filter((i) => i.domain === d).length;
process.stdout.write(
  `${items.length} images (${byDomain('emoji')} emoji, ${byDomain('stamp')} stamps, ${items.filter((i) => i.photo).length} photo-like), ` +
    `${concepts.size} concepts → ${outDir} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
);
