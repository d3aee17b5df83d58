import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../sim/engine/random.js';
import { reconnectPeak } from '../../sim/plan/reconnect-peak.js';

/** P(max of k independent Poisson(λ) counts ≤ c): the busiest second, with counts taken as independent. */
function poissonMaxCdf(c: number, lambda: number, k: number): number {
  let term = Math.exp(-lambda);
  let cdf = term;
  for (let i = 1; i <= c; i++) cdf += term *= lambda / i;
  return cdf ** k;
}

describe('reconnectPeak', () => {
  it('puts every session in one second when the window is under a second', () => {
    const peak = reconnectPeak(500, 0.5, 50, new RandomStreams(1).stream('p'));
    expect(peak).toEqual({ window: 0.5, mean: 500, p50: 500, p99: 500 });
  });

  it('has the median of the busiest of W Poisson(N/W) seconds', () => {
    const N = 1200;
    const W = 600;
    const peak = reconnectPeak(N, W, 2000, new RandomStreams(2).stream('p'));
    let median = 0;
    while (poissonMaxCdf(median, N / W, W) < 0.5) median++;
    expect(Math.abs(peak.p50 - median)).toBeLessThanOrEqual(1);
    let p99 = 0;
    while (poissonMaxCdf(p99, N / W, W) < 0.99) p99++;
    expect(Math.abs(peak.p99 - p99)).toBeLessThanOrEqual(1);
  });

  it('falls as the window grows', () => {
    const rng = () => new RandomStreams(3).stream('p');
    const peaks = [10, 60, 600].map((w) => reconnectPeak(1200, w, 300, rng()).p99);
    expect(peaks[0]).toBeGreaterThan(peaks[1]!);
    expect(peaks[1]).toBeGreaterThan(peaks[2]!);
  });
});
