/**
 * "Did you mean …?": the closest known word to a misspelt one, by edit distance, or by a
 * table of words users bring from other tools (`learning_rate` → `rate`, `adam` → none).
 */

/**
 * Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of two
 * neighbours each cost 1 ('sigmod' → 'sigmoid' = 1, 'tahn' → 'tanh' = 1). Case-insensitive.
 */
export function editDistance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  const m = a.length;
  const n = b.length;
  if (m === 0) return n;
  if (n === 0) return m;
  // d[i][j] over prefixes a[0..i), b[0..j); three rows are enough for the swap rule.
  let before = new Array<number>(n + 1).fill(0);
  let previous = Array.from({ length: n + 1 }, (_, j) => j);
  let current = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= m; i++) {
    current[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2] + 1);
      current[j] = d;
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[n];
}

/** Lower case without `_`, `-`, spaces and dots: 'Learning-Rate' and 'learning_rate' meet. */
function squash(word: string): string {
  return word.toLowerCase().replace(/[_\-\s.]/g, '');
}

/**
 * The candidate the word most probably meant, or undefined when none is close.
 * `synonyms` maps words from elsewhere (squashed or not) to a candidate.
 */
export function suggest(
  word: string,
  candidates: readonly string[],
  synonyms: Readonly<Record<string, string>> = {},
): string | undefined {
  if (word.length === 0) return undefined;
  const squashed = squash(word);
  for (const candidate of candidates) if (squash(candidate) === squashed) return candidate;
  for (const [from, to] of Object.entries(synonyms)) if (squash(from) === squashed) return to;
  const limit = word.length <= 3 ? 1 : word.length <= 6 ? 2 : 3;
  let best: string | undefined;
  let bestFrom = '';
  let bestDistance = Infinity;
  const consider = (from: string, to: string): void => {
    // The distance is at least the difference in length: skip words that cannot be within the limit.
    if (Math.abs(word.length - from.length) > limit) return;
    const d = editDistance(word, from);
    if (d < bestDistance) [bestDistance, best, bestFrom] = [d, to, from];
  };
  for (const candidate of candidates) consider(candidate, candidate);
  for (const [from, to] of Object.entries(synonyms)) consider(from, to);
  // Short words are close to every other short word: require a real overlap ('5' is not 'y').
  if (best === undefined || bestDistance > limit || bestDistance >= Math.min(word.length, bestFrom.length)) return undefined;
  return best;
}
