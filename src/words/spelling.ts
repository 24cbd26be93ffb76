/**
 * Spelling suggestions: candidates within Damerau–Levenshtein distance 2 (optimal string alignment:
 * adjacent transpositions count 1), closest first, ties broken by frequency (candidate order).
 */

let rows: Int32Array[] = [new Int32Array(0), new Int32Array(0), new Int32Array(0)];

/** OSA distance if ≤ max, else max + 1. Stops as soon as a whole DP row exceeds max. */
export function boundedDamerauLevenshtein(a: string, b: string, max: number): number {
  const n = a.length;
  const m = b.length;
  if (Math.abs(n - m) > max) return max + 1;
  if (rows[0]!.length < m + 1) rows = [new Int32Array(m + 1), new Int32Array(m + 1), new Int32Array(m + 1)];
  let prev2 = rows[0]!;
  let prev = rows[1]!;
  let cur = rows[2]!;
  for (let j = 0; j <= m; j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= m; j++) {
      const cb = b.charCodeAt(j - 1);
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (ca === cb ? 0 : 1));
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb)
        d = Math.min(d, prev2[j - 2]! + 1);
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    const t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  return prev[m]!;
}

/**
 * Up to `max` words from `candidates` (most frequent first) within distance 2 of `word`, nearer
 * first, then more frequent. The word itself is never suggested.
 */
export function suggestSpellings(word: string, candidates: readonly string[], max = 5): string[] {
  const MAX_DISTANCE = 2;
  const byDistance: string[][] = [[], []];
  const len = word.length;
  if (len === 0 || max <= 0) return [];
  for (const c of candidates) {
    if (Math.abs(c.length - len) > MAX_DISTANCE || c === word) continue;
    const d = boundedDamerauLevenshtein(word, c, MAX_DISTANCE);
    if (d > MAX_DISTANCE) continue;
    byDistance[d - 1]!.push(c);
    // Candidates come in frequency order, so once `max` distance-1 words are found nothing later wins.
    if (byDistance[0]!.length >= max) break;
  }
  return [...byDistance[0]!, ...byDistance[1]!].slice(0, max);
}
