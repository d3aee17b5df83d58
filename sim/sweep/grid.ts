/**
 * The grid of a sweep: every combination of the varied values, the first `--vary` changing
 * slowest (as nested loops written in the order given).
 */
import type { Variation } from './types.js';

/** Each point as its `path=value` overrides, in grid order. */
export function gridPoints(vary: readonly Variation[]): string[][] {
  let points: string[][] = [[]];
  for (const v of vary) points = points.flatMap((point) => v.values.map((value) => [...point, `${v.path}=${value}`]));
  return points;
}
