/**
 * What a sweep says about one figure at one grid point, from its values over the seeds: the
 * mean with a 95 % confidence interval (mean ± t₀.₉₇₅,ₙ₋₁ · s/√n, the seeds being independent
 * replications) and percentiles as order statistics (nearest rank: always a value some seed
 * produced, never an interpolation between seeds).
 */
import { percentileOfSorted } from '../metrics/histogram.js';
import { tQuantile } from './student-t.js';

export interface SampleStats {
  /** Seeds that gave the figure a value. */
  n: number;
  mean: number;
  /** The 95 % confidence interval of the mean; null with fewer than 2 values. */
  ci95Low: number | null;
  ci95High: number | null;
  p50: number;
  p95: number;
  p99: number;
  min: number;
  max: number;
}

/** The ⌈p·n⌉-th smallest of `sorted` (ascending, non-empty): the nearest-rank percentile. */
export function nearestRank(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) throw new RangeError('nearestRank of an empty sample');
  return percentileOfSorted(sorted, p);
}

/** Statistics of the values, or null when there are none. */
export function sampleStats(values: readonly number[]): SampleStats | null {
  const n = values.length;
  if (n === 0) return null;
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  let ci95Low: number | null = null;
  let ci95High: number | null = null;
  if (n >= 2) {
    let squares = 0;
    for (const v of values) squares += (v - mean) * (v - mean);
    const halfWidth = tQuantile(0.975, n - 1) * Math.sqrt(squares / (n - 1) / n);
    ci95Low = mean - halfWidth;
    ci95High = mean + halfWidth;
  }
  return {
    n,
    mean,
    ci95Low,
    ci95High,
    p50: nearestRank(sorted, 0.5),
    p95: nearestRank(sorted, 0.95),
    p99: nearestRank(sorted, 0.99),
    min: sorted[0]!,
    max: sorted[n - 1]!,
  };
}
