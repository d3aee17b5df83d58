import { createRequire } from 'node:module';
import type Int32HistogramClass from 'hdr-histogram-js/dist/Int32Histogram.js';
import type { HistogramSummary } from '../result.js';

// The one class, not the package index (which also loads the WebAssembly build); required as
// CommonJS so Node and vitest see the same module object.
const Int32Histogram: typeof Int32HistogramClass.default = createRequire(import.meta.url)(
  'hdr-histogram-js/dist/Int32Histogram.js',
).default;

/** Percentiles keep 3 significant digits: a reported p50/p95/p99 is at most 0.1 % above the
 *  exact nearest-rank value (HdrHistogram's highest equivalent value of the sample's bucket). */
export const HISTOGRAM_SIGNIFICANT_DIGITS = 3;
/** Values are seconds, recorded as whole microseconds. */
const UNITS_PER_SECOND = 1e6;

/**
 * A run's histogram in bounded memory: an HdrHistogram (hdr-histogram-js, the port of Gil Tene's
 * HdrHistogram) of about 100 KB whatever the number of samples, for the percentiles; count, sum,
 * min and max are kept exactly beside it, so mean and max are exact and a percentile never lies
 * outside [min, max].
 */
export class Histogram {
  private readonly hdr = new Int32Histogram(1, 2, HISTOGRAM_SIGNIFICANT_DIGITS);
  private n = 0;
  private sum = 0;
  private min = Infinity;
  private max = -Infinity;
  private cached: HistogramSummary | null = null;

  constructor() {
    this.hdr.autoResize = true;
  }

  record(value: number): void {
    this.hdr.recordValue(Math.round(value * UNITS_PER_SECOND));
    this.n++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.cached = null;
  }

  /** Bytes the histogram's buckets take (HdrHistogram's own estimate): bounded, whatever the sample count. */
  get footprintBytes(): number {
    return this.hdr.estimatedFootprintInBytes;
  }

  reset(): void {
    this.hdr.reset();
    this.n = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.cached = null;
  }

  get count(): number {
    return this.n;
  }

  /** Nearest-rank percentile (p in 0..1) to HISTOGRAM_SIGNIFICANT_DIGITS digits; NaN when empty. */
  percentile(p: number): number {
    if (this.n === 0) return NaN;
    const v = this.hdr.getValueAtPercentile(p * 100) / UNITS_PER_SECOND;
    return Math.min(this.max, Math.max(this.min, v));
  }

  summary(): HistogramSummary {
    if (this.n === 0) return { count: 0, mean: 0, p50: 0, p95: 0, p99: 0, max: 0 };
    this.cached ??= {
      count: this.n,
      mean: this.sum / this.n,
      p50: this.percentile(0.5),
      p95: this.percentile(0.95),
      p99: this.percentile(0.99),
      max: this.max,
    };
    return this.cached;
  }
}

/**
 * Nearest-rank percentile: the ⌈p·n⌉-th smallest of sorted values (p in 0..1), NaN when there are
 * none. The 1e-9 absorbs a product that lands a rounding error above a whole rank
 * (0.07 × 100 = 7.000000000000001 must still be the 7th).
 */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = Math.min(n, Math.max(1, Math.ceil(p * n - 1e-9)));
  return sorted[rank - 1];
}
