/**
 * The longest session TTL that still lets a drain reach its target within the window. Longer
 * TTLs mean fewer forced reconnects, and a TTL no longer than the window always works (no
 * connection outlives it), so the answer lies between the window and the first TTL that fails.
 */
import { bracketRoot } from './bracket-root.js';
import type { ResidualLife } from './residual-life.js';

/** Seconds: the answer is floored to whole seconds anyway. */
const RESOLUTION = 0.1;

/** Largest T with residual.withTtl(T).survival(window) ≤ fractionOpen; Infinity if no TTL is needed. */
export function longestTtl(residual: ResidualLife, window: number, fractionOpen: number): number {
  // Above the target fraction still open (> 0: the TTL is too long). Each call sums every period.
  const excess = (ttl: number) => residual.withTtl(ttl).survival(window) - fractionOpen;
  if (residual.survival(window) <= fractionOpen) return Infinity;
  let lo = window;
  let excessAtLo: number | undefined;
  let hi = 2 * window;
  let excessAtHi = excess(hi);
  for (let k = 0; excessAtHi <= 0; k++) {
    // Without a TTL the drain misses the target, and a long enough TTL is no TTL.
    if (k > 60) return hi;
    lo = hi;
    excessAtLo = excessAtHi;
    hi *= 2;
    excessAtHi = excess(hi);
  }
  return bracketRoot(excess, lo, hi, RESOLUTION, excessAtLo, excessAtHi).lo;
}
