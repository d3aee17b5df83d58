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
  const fits = (ttl: number) => residual.withTtl(ttl).survival(window) <= fractionOpen;
  if (residual.survival(window) <= fractionOpen) return Infinity;
  let lo = window;
  let hi = 2 * window;
  for (let k = 0; fits(hi); k++) {
    // Without a TTL the drain misses the target, and a long enough TTL is no TTL.
    if (k > 60) return hi;
    lo = hi;
    hi *= 2;
  }
  return bracketRoot((ttl) => residual.withTtl(ttl).survival(window) - fractionOpen, lo, hi, RESOLUTION).lo;
}
