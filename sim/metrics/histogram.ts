import { createRequire } from 'node:module';
import type Int32HistogramClass from 'hdr-histogram-js/dist/Int32Histogram.js';
import { preferDoubleFields } from '../engine/double-fields.js';
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
 * HdrHistogram's bucket layout for lowest discernible value 1 and 3 digits (JsHistogram's
 * constructor: subBucketCount = 2^ceil(log2(2 × 10^3)) = 2048, so half of it is 2^10): bucket 0
 * holds 0..2047 in steps of 1, bucket k ≥ 1 holds 1024·2^k..2048·2^k − 1 in steps of 2^k.
 */
const HALF_MAGNITUDE = 10;
const HALF_COUNT = 1 << HALF_MAGNITUDE;
/** Values below this (whole microseconds, about 36 minutes) take the fast path of `record`. */
const FAST_LIMIT = 2 ** 31;

/**
 * A run's histogram in bounded memory: an HdrHistogram (hdr-histogram-js, the port of Gil Tene's
 * HdrHistogram) of about 100 KB whatever the number of samples, for the percentiles; count, sum,
 * min and max are kept exactly beside it, so mean and max are exact and a percentile never lies
 * outside [min, max].
 */
export class Histogram {
  private readonly hdr = new Int32Histogram(1, 2, HISTOGRAM_SIGNIFICANT_DIGITS);
  /**
   * Counts not yet added to `hdr`, by HdrHistogram's own counts index. hdr-histogram-js finds a
   * value's bucket with Math.log2 and Math.pow through three levels of classes (~200 ns a value);
   * below 2^31 the same index is a clz32 and a shift (JsHistogram countsArrayIndex, exact there,
   * test/metrics/histogram.test.ts compares them), so `record` only counts and the buckets reach
   * `hdr` in one pass when a percentile is asked for: the same counts per bucket, the same answers.
   */
  private pending = new Uint32Array(0);
  private pendingTotal = 0;
  private n = 0;
  private sum = 0;
  private min = Infinity;
  private max = -Infinity;
  private cached: HistogramSummary | null = null;

  constructor() {
    this.hdr.autoResize = true;
  }

  // The sum of seconds is fractional after the first record: a double field from the start.
  static {
    preferDoubleFields(new Histogram(), ['sum']);
  }

  record(value: number): void {
    const units = Math.round(value * UNITS_PER_SECOND);
    if (units >= 0 && units < FAST_LIMIT) {
      // JsHistogram: bucket = max(floor(log2(v)) − 10, 0), sub-bucket = floor(v / 2^bucket),
      // index = (bucket + 1)·1024 + sub-bucket − 1024; floor(log2(v)) is 31 − clz32(v) here.
      const bucket = Math.max(31 - Math.clz32(units) - HALF_MAGNITUDE, 0);
      const index = (bucket << HALF_MAGNITUDE) + (units >>> bucket);
      if (index >= this.pending.length) this.growPending(index);
      this.pending[index]++;
      if (++this.pendingTotal === FAST_LIMIT - 1) this.flush();
    } else this.hdr.recordValue(units); // beyond the fast path, or negative / NaN: hdr decides (it throws)
    this.n++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.cached = null;
  }

  /** Room for counts index `index`, whole buckets at a time (sized by the largest value seen). */
  private growPending(index: number): void {
    const grown = new Uint32Array((Math.floor(index / HALF_COUNT) + 1) * HALF_COUNT);
    grown.set(this.pending);
    this.pending = grown;
  }

  /** Add the pending counts to `hdr`, each at the lowest value of its bucket. */
  private flush(): void {
    if (this.pendingTotal === 0) return;
    const pending = this.pending;
    for (let index = 0; index < pending.length; index++) {
      const count = pending[index];
      if (count === 0) continue;
      // JsHistogram valueFromIndex: indexes below 2048 are bucket 0 (the value itself).
      const value =
        index < 2 * HALF_COUNT
          ? index
          : ((index & (HALF_COUNT - 1)) + HALF_COUNT) * 2 ** ((index >> HALF_MAGNITUDE) - 1);
      this.hdr.recordValueWithCount(value, count);
      pending[index] = 0;
    }
    this.pendingTotal = 0;
  }

  /** Bytes the histogram's buckets take (HdrHistogram's own estimate and the pending counts):
   *  bounded, whatever the sample count. */
  get footprintBytes(): number {
    this.flush();
    return this.hdr.estimatedFootprintInBytes + this.pending.byteLength;
  }

  reset(): void {
    this.hdr.reset();
    this.pending.fill(0);
    this.pendingTotal = 0;
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
    this.flush();
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
