/**
 * Coverage of the plan's 95 % drain-time interval (sim/plan/bootstrap.ts bootstrapDrainTime):
 * over many data sets drawn from a known lifetime, how often the interval holds the true time.
 * Deterministic (named streams), and in the regime that matters: the default target 99.9 % with
 * about one measured session outliving the true time, where session 29's percentile bootstrap of
 * the measured sessions held it about half the time and missed below it the rest. The full table
 * (more lifetimes and sizes, 200 resamples) is scripts/plan-coverage.mjs, in README "plan drain".
 */
import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../sim/engine/random.js';
import { bootstrapDrainTime } from '../../sim/plan/bootstrap.js';
import { normalCdf, normalQuantile } from '../../sim/scenario/distributions/normal-math.js';

function coverage(
  draw: (u: number) => number,
  truth: number,
  n: number,
  target: number,
  dataSets: number,
  resamples: number,
): { held: number; below: number } {
  const streams = new RandomStreams(30);
  const data = streams.stream('coverage.data');
  let held = 0;
  let below = 0;
  for (let r = 0; r < dataSets; r++) {
    const x = Float64Array.from({ length: n }, () => draw(data.next())).sort();
    const { low, high } = bootstrapDrainTime(x, 1 - target, resamples, streams.stream(`coverage.${r}`));
    if (low <= truth && truth <= high) held++;
    if (high < truth) below++;
  }
  return { held: held / dataSets, below: below / dataSets };
}

describe('the drain-time interval holds the true time about 95 % of the time', () => {
  it('exponential(120 s), 1,000 sessions, target 99.9 % (true time 120·ln 1000 = 829 s, ~1 session past it)', () => {
    const c = coverage((u) => -120 * Math.log1p(-u), 120 * Math.log(1000), 1000, 0.999, 100, 100);
    // 100 data sets: a 95 % coverage reads 0.90–0.99 (±2 standard errors); session 29's read 0.52.
    expect(c.held).toBeGreaterThanOrEqual(0.9);
    expect(c.below).toBeLessThanOrEqual(0.05);
  });

  it('lognormal(median=30m, p99=6h), 1,000 sessions, target 99 % (true time 11.1 h, ~2 sessions past it)', () => {
    const sigma = Math.log(12) / normalQuantile(0.99);
    const mean = 1800 * Math.exp((sigma * sigma) / 2);
    // P(R > t) = Φ(σ − z) − (t/E[L])·Φ(−z), z = ln(t/median)/σ; bisection for P(R > t) = 1 %.
    let lo = 0;
    let hi = 1e7;
    for (let i = 0; i < 200; i++) {
      const t = (lo + hi) / 2;
      const z = Math.log(t / 1800) / sigma;
      if (normalCdf(sigma - z) - (t / mean) * normalCdf(-z) > 0.01) lo = t;
      else hi = t;
    }
    const c = coverage((u) => 1800 * Math.exp(sigma * normalQuantile(u)), lo, 1000, 0.99, 100, 100);
    // The lognormal is the hard case (README table: 0.885 at 400 sessions): 0.90 here, 7 of the 10
    // misses below. Session 29's interval: 0.59, every miss below.
    expect(c.held).toBeGreaterThanOrEqual(0.85);
    expect(c.below).toBeLessThanOrEqual(0.1);
  });
});
