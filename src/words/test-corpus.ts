/** Deterministic toy text for tests: Zipf-ish word frequencies, ASCII and multi-byte UTF-8 words. */

/** Park–Miller LCG, so fixtures are identical on every run and machine. */
export function lcg(seed: number): () => number {
  let s = seed % 2147483647 || 1;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
}

const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ne',
  'ru',
  'ta',
  'sho',
  'vin',
  'der',
  'pel',
  'café',
  'über',
  'naï',
  '東',
  '京',
];

/** `size` distinct words of 1..maxSyllables syllables (15^maxSyllables must comfortably exceed size). */
export function makeVocabulary(size: number, seed = 7, maxSyllables = 3): string[] {
  if (size > 0.5 * SYLLABLES.length ** maxSyllables) throw new Error('too many words for maxSyllables');
  const rnd = lcg(seed);
  const words = new Set<string>();
  while (words.size < size) {
    const n = 1 + Math.floor(rnd() * maxSyllables);
    let w = '';
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(rnd() * SYLLABLES.length)]!;
    words.add(w);
  }
  return [...words];
}

/** `lines` lines of `perLine` words drawn with P(rank r) ∝ 1/(r+1). */
export function makeCorpus(vocabulary: readonly string[], lines: number, perLine: number, seed = 11): string {
  const rnd = lcg(seed);
  const weights = vocabulary.map((_, r) => 1 / (r + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  let acc = 0;
  for (const w of weights) cumulative.push((acc += w / total));
  const pick = (): string => {
    const x = rnd();
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return vocabulary[lo]!;
  };
  const out: string[] = [];
  for (let i = 0; i < lines; i++) out.push(Array.from({ length: perLine }, pick).join(' '));
  return out.join('\n') + '\n';
}
