import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { iconSvg, readSet, renderIconifyEmoji } from './iconify-emoji.js';

const DOG = '1f436';
const APPLE = '1f34e';
const dir = await mkdtemp(path.join(tmpdir(), 'visem-iconify-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Share of pixels that are not near-white once alpha is flattened on white. */
async function inkShare(file: string): Promise<number> {
  const { data, info } = await sharp(file)
    .flatten({ background: '#ffffff' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  let ink = 0;
  for (let i = 0; i < data.length; i += info.channels)
    if (data[i]! + data[i + 1]! + data[i + 2]! < 600) ink++;
  return ink / (info.width * info.height);
}

describe('renderIconifyEmoji', () => {
  it('renders a set that maps its own codepoints to PNGs of the requested size', async () => {
    const rendered = await renderIconifyEmoji('openmoji', dir, 96, undefined, new Set([DOG, APPLE]));
    expect([...rendered.keys()].sort()).toEqual([APPLE, DOG]);
    const meta = await sharp(rendered.get(DOG)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 96, 96]);
    // A drawing, not an empty canvas; and two different emoji render differently.
    expect(await inkShare(rendered.get(DOG)!)).toBeGreaterThan(0.1);
    const [a, b] = await Promise.all([DOG, APPLE].map((c) => sharp(rendered.get(c)).raw().toBuffer()));
    expect(a!.equals(b!)).toBe(false);
  });

  it('maps a set with an empty chars.json through the CLDR names of the others', async () => {
    const rendered = await renderIconifyEmoji('emojione', dir, 64, undefined, new Set([DOG]));
    expect(rendered.get(DOG)).toBe(path.join(dir, 'emojione-64', `${DOG}.png`));
    expect(await inkShare(rendered.get(DOG)!)).toBeGreaterThan(0.1);
  });

  it('reruns without re-rendering files already there', async () => {
    const first = await renderIconifyEmoji('openmoji', dir, 96, undefined, new Set([DOG]));
    const before = (await stat(first.get(DOG)!)).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    const again = await renderIconifyEmoji('openmoji', dir, 96, undefined, new Set([DOG]));
    expect((await stat(again.get(DOG)!)).mtimeMs).toBe(before);
  });

  it('renders a mirrored alias mirrored (Fluent draws the right-pointing hand as the left one, flipped)', async () => {
    const { json } = await readSet('fluent-emoji-flat');
    const pixels = (svg: string | undefined, flop: boolean) =>
      sharp(Buffer.from(svg!)).flatten({ background: '#ffffff' }).flop(flop).raw().toBuffer();
    const left = await pixels(iconSvg(json, 'backhand-index-pointing-left', 64), false);
    const right = iconSvg(json, 'backhand-index-pointing-right', 64);
    let diff = 0;
    const mirrored = await pixels(right, true);
    for (let i = 0; i < left.length; i++) diff += Math.abs(left[i]! - mirrored[i]!);
    expect(diff / left.length).toBeLessThan(2);
    expect((await pixels(right, false)).equals(left)).toBe(false);
  });
});
