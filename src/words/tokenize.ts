/**
 * Query text → lowercase tokens in GloVe's vocabulary style. GloVe (and wink's copy) was built from
 * lowercased, Stanford-tokenized text: words keep inner apostrophes ("o'clock") and hyphens
 * ("t-shirt"), possessives are split off as "'s". We drop possessives (they add nothing to an image
 * query) and split hyphenated compounds unless the caller says the compound itself is known.
 */

export interface TokenizeOptions {
  /** When given, a hyphenated or apostrophe token is kept whole if known, else split into its parts. */
  isKnown?: (word: string) => boolean;
}

// Letters (with combining marks) and digits, joined by single inner apostrophes or hyphens.
const TOKEN = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*(?:['-][\p{L}\p{N}][\p{L}\p{M}\p{N}]*)*/gu;

export function tokenize(text: string, options: TokenizeOptions = {}): string[] {
  const normalized = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`´]/g, "'")
    .replace(/[\u2010-\u2013]/g, '-');
  const out: string[] = [];
  for (const match of normalized.matchAll(TOKEN)) {
    let token = match[0];
    // Possessive "'s" is its own token in GloVe; for search it is noise.
    if (token.endsWith("'s")) token = token.slice(0, -2);
    if (!token.includes('-') && !token.includes("'")) {
      out.push(token);
      continue;
    }
    if (options.isKnown?.(token)) {
      out.push(token);
      continue;
    }
    for (const part of token.split(/['-]/)) if (part) out.push(part);
  }
  return out;
}
