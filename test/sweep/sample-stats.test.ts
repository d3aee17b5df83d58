import { describe, expect, it } from 'vitest';
import { percentileOfSorted } from '../../sim/metrics/histogram.js';
import { nearestRank, sampleStats } from '../../sim/sweep/sample-stats.js';

describe('sampleStats', () => {
  it('gives the mean with a Student-t 95 % interval and order-statistic percentiles', () => {
    const values = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3];
    const s = sampleStats(values)!;
    expect(s.n).toBe(10);
    expect(s.mean).toBeCloseTo(3.9, 12);
    // s = 2.5144…, t(0.975, 9) = 2.2621…: half width 1.7987…
    const sd = Math.sqrt(values.reduce((a, v) => a + (v - 3.9) ** 2, 0) / 9);
    expect(s.ci95High! - s.mean).toBeCloseTo((2.262157162798205 * sd) / Math.sqrt(10), 9);
    expect(s.mean - s.ci95Low!).toBeCloseTo(s.ci95High! - s.mean, 12);
    // Nearest rank over sorted 1 1 2 3 3 4 5 5 6 9: 5th, 10th, 10th.
    expect([s.p50, s.p95, s.p99, s.min, s.max]).toEqual([3, 9, 9, 1, 9]);
  });

  it('has no interval for one seed and no statistics for none', () => {
    expect(sampleStats([7])).toMatchObject({ n: 1, mean: 7, ci95Low: null, ci95High: null, p50: 7, p99: 7 });
    expect(sampleStats([])).toBeNull();
  });

  it('gives a zero-width interval when every seed agrees', () => {
    expect(sampleStats([2, 2, 2])).toMatchObject({ mean: 2, ci95Low: 2, ci95High: 2 });
  });

  it('takes the ⌈p·n⌉-th smallest value, never an interpolation', () => {
    const sorted = Float64Array.from({ length: 20 }, (_, i) => i + 1);
    expect(nearestRank(sorted, 0.5)).toBe(10);
    expect(nearestRank(sorted, 0.95)).toBe(19);
    expect(nearestRank(sorted, 0.99)).toBe(20);
    expect(nearestRank(sorted, 0)).toBe(1);
    expect(() => nearestRank([], 0.5)).toThrow(RangeError);
    // p·n a rounding error above a whole rank is still that rank (0.07 × 100 = 7.000000000000001).
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(nearestRank(hundred, 0.07)).toBe(7);
    expect(percentileOfSorted(hundred, 0.07)).toBe(7);
    expect(percentileOfSorted([], 0.5)).toBeNaN();
  });
});
