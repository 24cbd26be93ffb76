import { mkdir, readFile, rename, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import sharp from 'sharp';

/**
 * Open-licensed emoji sets shipped as Iconify JSON on npm (SVG bodies + a codepoint → icon map). They
 * add artists beyond Twemoji and Noto, so the head sees each concept drawn in several styles.
 */
export const ICONIFY_EMOJI_SETS = {
  'fluent-emoji-flat': 'MIT (Microsoft Fluent Emoji)',
  openmoji: 'CC-BY-SA-4.0 (OpenMoji)',
  emojione: 'CC-BY-4.0 (EmojiOne 2.2)',
  fxemoji: 'Apache-2.0 (Firefox OS emoji)',
  'noto-v1': 'Apache-2.0 (Noto Emoji, first edition)',
} as const;
export type IconifyEmojiSet = keyof typeof ICONIFY_EMOJI_SETS;

export function isIconifyEmojiSet(name: string): name is IconifyEmojiSet {
  return Object.hasOwn(ICONIFY_EMOJI_SETS, name);
}

interface IconifyIcon {
  body: string;
  width?: number;
  height?: number;
  left?: number;
  top?: number;
}
export interface IconifyJson {
  icons: Record<string, IconifyIcon>;
  aliases?: Record<string, { parent: string } & Partial<IconifyIcon>>;
  width?: number;
  height?: number;
}

/** Codepoint key as Iconify writes it: lowercase hex joined by "-". */
export function codepointKey(unified: string): string {
  return unified.toLowerCase();
}

/** One icon as a standalone SVG document (undefined when the set lacks it or it is rotated). */
export function iconSvg(set: IconifyJson, name: string, size: number): string | undefined {
  const alias = set.aliases?.[name];
  const icon = set.icons[alias?.parent ?? name];
  if (!icon) return undefined;
  // Aliases may mirror their parent (e.g. a right-pointing hand drawn as the left one, flipped).
  const flip = alias as { hFlip?: boolean; vFlip?: boolean; rotate?: number } | undefined;
  if (flip?.rotate) return undefined;
  const w = alias?.width ?? icon.width ?? set.width ?? 16;
  const h = alias?.height ?? icon.height ?? set.height ?? 16;
  const left = alias?.left ?? icon.left ?? 0;
  const top = alias?.top ?? icon.top ?? 0;
  const sx = flip?.hFlip ? -1 : 1;
  const sy = flip?.vFlip ? -1 : 1;
  const body =
    sx === 1 && sy === 1
      ? icon.body
      : `<g transform="translate(${sx === -1 ? 2 * left + w : 0} ${sy === -1 ? 2 * top + h : 0}) scale(${sx} ${sy})">${icon.body}</g>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="${left} ${top} ${w} ${h}" width="${size}" height="${size}">${body}</svg>`;
}

export async function readSet(
  set: IconifyEmojiSet,
): Promise<{ json: IconifyJson; chars: Record<string, string> }> {
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve(`@iconify-json/${set}/package.json`));
  const json = JSON.parse(await readFile(path.join(dir, 'icons.json'), 'utf8')) as IconifyJson;
  const chars = JSON.parse(await readFile(path.join(dir, 'chars.json'), 'utf8')) as Record<string, string>;
  return { json, chars };
}

const squash = (name: string) => name.replace(/-/g, '');

/**
 * Codepoint → icon name. Some sets ship an empty chars.json; their icons carry the same CLDR-slug
 * names ("admission-tickets", or squashed "admissiontickets" in fxemoji) as the sets that map them,
 * so the names are matched through those sets' maps.
 */
async function codepointsOf(json: IconifyJson, chars: Record<string, string>) {
  if (Object.keys(chars).length > 0) return chars;
  const bySlug = await donorSlugs();
  const out: Record<string, string> = {};
  for (const name of [...Object.keys(json.icons), ...Object.keys(json.aliases ?? {})]) {
    const code = bySlug.get(name) ?? bySlug.get(squash(name));
    if (code && !(code in out)) out[code] = name;
  }
  return out;
}

let donorSlugMap: Promise<Map<string, string>> | undefined;

/** CLDR slug (plain and squashed) → codepoint, from the sets that map theirs; read once per process. */
function donorSlugs(): Promise<Map<string, string>> {
  donorSlugMap ??= (async () => {
    const bySlug = new Map<string, string>();
    for (const donor of ['fluent-emoji-flat', 'openmoji'] as const)
      for (const [code, name] of Object.entries((await readSet(donor)).chars)) {
        if (!bySlug.has(name)) bySlug.set(name, code);
        if (!bySlug.has(squash(name))) bySlug.set(squash(name), code);
      }
    return bySlug;
  })();
  return donorSlugMap;
}

/**
 * Renders every icon of `set` that has a codepoint to `<renderDir>/<set>-<size>/<codepoint>.png` (skipping files
 * already there, writing through a temp file so a crash leaves no half-written PNG) and returns
 * codepoint key → PNG path.
 */
export async function renderIconifyEmoji(
  set: IconifyEmojiSet,
  renderDir: string,
  size = 128,
  onProgress?: (done: number, total: number) => void,
  /** Render only these codepoint keys (tests). */
  only?: ReadonlySet<string>,
): Promise<Map<string, string>> {
  const { json, chars } = await readSet(set);
  const codes = await codepointsOf(json, chars);
  // The size is part of the folder, so a different size never reuses another size's PNGs.
  const outDir = path.join(renderDir, `${set}-${size}`);
  await mkdir(outDir, { recursive: true });
  const out = new Map<string, string>();
  const entries = Object.entries(codes).filter(([code]) => !only || only.has(code));
  for (const [i, [code, name]] of entries.entries()) {
    onProgress?.(i + 1, entries.length);
    const file = path.join(outDir, `${code}.png`);
    if (!(await stat(file).catch(() => undefined))) {
      const svg = iconSvg(json, name, size);
      if (!svg) continue;
      await sharp(Buffer.from(svg)).png().toFile(`${file}.tmp`);
      await rename(`${file}.tmp`, file);
    }
    out.set(code, file);
  }
  return out;
}
