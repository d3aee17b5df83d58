import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Mulberry32 } from '../../sim/engine/mulberry32.js';
import { HISTOGRAM_SIGNIFICANT_DIGITS, Histogram, percentileOfSorted } from '../../sim/metrics/histogram.js';

describe('Histogram (HDR, 3 significant digits)', () => {
  it('gives percentiles at most 0.1 % above the exact nearest-rank values; count, mean and max exact', () => {
    const h = new Histogram();
    const rng = new Mulberry32(3);
    const values: number[] = [];
    // Lognormal-ish latencies from 100 µs to minutes: wide enough that buckets of every size matter.
    for (let i = 0; i < 200_000; i++) {
      const v = Math.exp(-9 + 14 * rng.next() * rng.next());
      values.push(v);
      h.record(v);
    }
    const sorted = Float64Array.from(values).sort();
    const s = h.summary();
    expect(HISTOGRAM_SIGNIFICANT_DIGITS).toBe(3);
    expect(s.count).toBe(values.length);
    expect(s.max).toBe(sorted[sorted.length - 1]);
    expect(s.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 12);
    for (const [p, got] of [
      [0.5, s.p50],
      [0.95, s.p95],
      [0.99, s.p99],
      [0.001, h.percentile(0.001)],
    ] as const) {
      const exact = percentileOfSorted(sorted, p);
      // Whole microseconds first (± 0.5 µs), then the bucket's upper edge (≤ 1/1024 above).
      expect(got).toBeGreaterThanOrEqual(exact - 0.5e-6);
      expect(got).toBeLessThanOrEqual(exact * (1 + 1 / 1024) + 0.5e-6);
    }
  });

  it('never reports a percentile outside the recorded range, and resets', () => {
    const h = new Histogram();
    for (let i = 0; i < 10; i++) h.record(0.099);
    expect(h.summary()).toMatchObject({ count: 10, p50: 0.099, p95: 0.099, p99: 0.099, max: 0.099 });
    expect(h.summary().mean).toBeCloseTo(0.099, 15);
    h.reset();
    expect(h.count).toBe(0);
    expect(h.summary()).toEqual({ count: 0, mean: 0, p50: 0, p95: 0, p99: 0, max: 0 });
    expect(h.percentile(0.5)).toBeNaN();
  });

  it('answers exactly as hdr-histogram-js fed every value directly (its own bucket of every value)', () => {
    // Histogram counts by bucket index itself and hands the buckets over lazily; a wrong index
    // (an off-by-one at a power of two, a bucket edge) moves a percentile by a bucket here.
    const Int32Histogram = createRequire(import.meta.url)('hdr-histogram-js/dist/Int32Histogram.js').default;
    const direct = new Int32Histogram(1, 2, HISTOGRAM_SIGNIFICANT_DIGITS);
    direct.autoResize = true;
    const h = new Histogram();
    const rng = new Mulberry32(11);
    const record = (seconds: number): void => {
      h.record(seconds);
      direct.recordValue(Math.round(seconds * 1e6));
    };
    // Every bucket edge up to 2^33 µs (past the fast path), then values spread over 0 µs .. 3 h.
    for (let k = 0; k <= 33; k++) for (const d of [-1, 0, 1]) if (2 ** k + d >= 0) record((2 ** k + d) / 1e6);
    for (let i = 0; i < 100_000; i++) record(Math.exp(-14 + 23.5 * rng.next()) * (rng.next() < 0.01 ? 0 : 1));
    for (let q = 0; q <= 1000; q++) {
      const p = q / 1000;
      const ours = h.percentile(p);
      // Histogram clamps to the exact [min, max]; min is 0 here.
      const theirs = Math.min(h.summary().max, Math.max(0, direct.getValueAtPercentile(p * 100) / 1e6));
      expect(ours, `p=${p}`).toBe(theirs);
    }
    // Recording after a percentile was read goes on counting into the same buckets.
    for (let i = 0; i < 1000; i++) record(0.5 + i / 1e4);
    expect(h.percentile(0.99)).toBe(direct.getValueAtPercentile(99) / 1e6);
  });

  it('holds a million samples in bounded memory', () => {
    const h = new Histogram();
    for (let i = 0; i < 5_000; i++) h.record((i % 5000) / 1000);
    const small = h.footprintBytes;
    for (let i = 5_000; i < 1_000_000; i++) h.record((i % 5000) / 1000);
    // Exact samples would take 8 MB; the HDR buckets stay far below that and do not grow with the
    // count (the heap is not measured: garbage not yet collected would make the test flaky).
    expect(h.footprintBytes).toBeLessThan(200_000);
    expect(h.footprintBytes).toBe(small);
    expect(h.count).toBe(1_000_000);
  });
});
