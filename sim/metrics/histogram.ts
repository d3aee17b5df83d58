import type { HistogramSummary } from '../result.js';

/**
 * Exact sample histogram: values are kept in a growable Float64Array and sorted once when
 * summarised. Exact percentiles keep figures traceable to individual simulated events; the runs
 * here record at most a few million samples, which fits comfortably.
 */
export class Histogram {
  private data = new Float64Array(256);
  private n = 0;
  private cached: HistogramSummary | null = null;

  record(value: number): void {
    if (this.n === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.n++] = value;
    this.cached = null;
  }

  reset(): void {
    this.n = 0;
    this.cached = null;
  }

  get count(): number {
    return this.n;
  }

  /** Sorted copy of the samples. */
  sorted(): Float64Array {
    return this.data.slice(0, this.n).sort();
  }

  summary(): HistogramSummary {
    this.cached ??= summarize(this.sorted());
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

export function summarize(sorted: ArrayLike<number>): HistogramSummary {
  const n = sorted.length;
  if (n === 0) return { count: 0, mean: 0, p50: 0, p95: 0, p99: 0, max: 0 };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i];
  return {
    count: n,
    mean: sum / n,
    p50: percentileOfSorted(sorted, 0.5),
    p95: percentileOfSorted(sorted, 0.95),
    p99: percentileOfSorted(sorted, 0.99),
    max: sorted[n - 1],
  };
}
