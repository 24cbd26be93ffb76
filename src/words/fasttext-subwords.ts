/**
 * fastText's character n-gram scheme (dictionary.cc), byte-for-byte: n-grams are taken over the
 * UTF-8 bytes of `<word>`, counting whole code points, and hashed with FNV-1a where each byte is
 * first sign-extended from int8 (fastText's `uint32_t(int8_t(c))` quirk — it changes the hash of
 * every non-ASCII n-gram).
 */

export const BOW = '<';
export const EOW = '>';
export const EOS = '</s>';

export function fastTextHash(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let h = 2166136261;
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    h = (h ^ (b >= 0x80 ? b | 0xffffff00 : b)) >>> 0;
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h;
}

export interface SubwordParams {
  minn: number;
  maxn: number;
  bucket: number;
}

/**
 * Bucket indices (0 ≤ h < bucket, before adding nwords) of the n-grams of `<word>`, in fastText's
 * order. Single-character n-grams touching `<` or `>` are skipped, as fastText does.
 */
export function subwordBuckets(word: string, p: SubwordParams): number[] {
  const out: number[] = [];
  if (p.maxn <= 0 || p.bucket <= 0) return out;
  const w = Buffer.from(BOW + word + EOW, 'utf8');
  const len = w.length;
  for (let i = 0; i < len; i++) {
    if ((w[i]! & 0xc0) === 0x80) continue;
    let j = i;
    for (let n = 1; j < len && n <= p.maxn; n++) {
      j++;
      while (j < len && (w[j]! & 0xc0) === 0x80) j++;
      if (n >= p.minn && !(n === 1 && (i === 0 || j === len))) out.push(fastTextHash(w, i, j) % p.bucket);
    }
  }
  return out;
}

/** The n-gram strings in the same order as subwordBuckets (for debugging and tests). */
export function subwordStrings(word: string, p: Pick<SubwordParams, 'minn' | 'maxn'>): string[] {
  const out: string[] = [];
  const w = Buffer.from(BOW + word + EOW, 'utf8');
  for (let i = 0; i < w.length; i++) {
    if ((w[i]! & 0xc0) === 0x80) continue;
    let j = i;
    for (let n = 1; j < w.length && n <= p.maxn; n++) {
      j++;
      while (j < w.length && (w[j]! & 0xc0) === 0x80) j++;
      if (n >= p.minn && !(n === 1 && (i === 0 || j === w.length))) out.push(w.toString('utf8', i, j));
    }
  }
  return out;
}
