/**
 * "Did you mean …?" for typo'd keys, enum values and scenario names: rank candidates by edit
 * distance and keep those close enough to be a plausible typo.
 */

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions (`timoeut`). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** Longer words get no "did you mean": they are not typos of a name, and the search would be slow. */
export const MAX_TYPO_WORD = 100;

/** A typo changes a few characters; beyond a third of the word it is a different word. */
function maxTypoDistance(word: string): number {
  return Math.max(2, Math.floor(word.length / 3));
}

/**
 * Candidates within typo distance of `word`, closest first (ties keep the candidates' order, so the
 * answer is deterministic). Case is ignored when measuring: `Keepalive_Timeout` is a near miss.
 */
export function nearestMatches(word: string, candidates: Iterable<string>, limit = 3): string[] {
  // The search is quadratic in the word's length; nobody mistypes a 100-character name.
  if (word.length > MAX_TYPO_WORD) return [];
  const needle = word.toLowerCase();
  const scored: { candidate: string; distance: number; order: number }[] = [];
  let order = 0;
  for (const candidate of new Set(candidates)) {
    const distance = editDistance(needle, candidate.toLowerCase());
    if (candidate !== word && distance <= maxTypoDistance(word)) scored.push({ candidate, distance, order });
    order++;
  }
  scored.sort((x, y) => x.distance - y.distance || x.order - y.order);
  return scored.slice(0, limit).map((s) => s.candidate);
}

/** The single closest candidate within typo distance, if any. */
export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  return nearestMatches(word, candidates, 1)[0];
}
