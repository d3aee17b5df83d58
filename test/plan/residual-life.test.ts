import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../sim/engine/random.js';
import { ResidualLife } from '../../sim/plan/residual-life.js';
import { parseDistribution } from '../../sim/scenario/distribution.js';

const residualOf = (spec: string, ttl?: number) => ResidualLife.of(parseDistribution(spec), ttl);

/**
 * The inspection paradox checked by brute force, independently of the formula: sessions arrive
 * as a Poisson stream over a long past, each lives its lifetime (as a chain of connections of
 * length ≤ ttl); the connections open at time 0 are what a drain starting then waits for.
 */
function openAtDrainStart(spec: string, ttl: number, history: number, rate: number, seed: number): number[] {
  const lifetime = parseDistribution(spec);
  const streams = new RandomStreams(seed);
  const arrivals = streams.stream('arrivals');
  const lifetimes = streams.stream('lifetimes');
  const remaining: number[] = [];
  for (let t = -history; ; ) {
    t += -Math.log(1 - arrivals.next()) / rate;
    if (t >= 0) return remaining;
    const length = lifetime.sample(lifetimes);
    const age = -t;
    if (length <= age) continue;
    // The connection covering time 0 is the session's piece number ⌊age / ttl⌋.
    const pieceEnd = Number.isFinite(ttl) ? Math.min(length, (Math.floor(age / ttl) + 1) * ttl) : length;
    remaining.push(pieceEnd - age);
  }
}

function fractionAbove(values: readonly number[], t: number): number {
  return values.filter((v) => v > t).length / values.length;
}

/** |observed − expected| within 4.5 binomial standard errors (plus a hair for the formula's own error). */
function expectWithinSamplingError(observed: number, expected: number, n: number): void {
  const se = Math.sqrt((expected * (1 - expected)) / n);
  expect(Math.abs(observed - expected)).toBeLessThanOrEqual(4.5 * se + 1e-6);
}

describe('ResidualLife', () => {
  it('is memoryless for exponential lifetimes: P(R > t) = e^(−t/m), and a 99.9 % drain takes m·ln(1000)', () => {
    const r = residualOf('exp(mean=2m)');
    for (const t of [10, 120, 600, 1200]) expect(r.survival(t)).toBeCloseTo(Math.exp(-t / 120), 12);
    expect(r.timeUntil(0.001)).toBeCloseTo(120 * Math.log(1000), 5);
    expect(r.timeUntil(0.05)).toBeCloseTo(120 * Math.log(20), 5);
    expect(r.quantile(0.5)).toBeCloseTo(120 * Math.LN2, 5);
  });

  it('has the closed form of a TTL on exponential lifetimes: e^(−x/m)·(1 − e^(−(T−x)/m))/(1 − e^(−T/m))', () => {
    const m = 120;
    const T = 300;
    const r = residualOf('exp(mean=2m)', T);
    for (const x of [0, 30, 150, 290]) {
      const exact = (Math.exp(-x / m) * -Math.expm1(-(T - x) / m)) / -Math.expm1(-T / m);
      expect(r.survival(x)).toBeCloseTo(exact, 9);
    }
    expect(r.survival(T)).toBe(0);
    expect(r.timeUntil(0)).toBeLessThanOrEqual(T);
  });

  it('is (1 − t/b)² for uniform(0, b) lifetimes: the residual is longer than the lifetime', () => {
    const r = residualOf('uniform(0s, 10m)');
    for (const t of [60, 300, 540]) expect(r.survival(t)).toBeCloseTo((1 - t / 600) ** 2, 9);
    // Half of the lifetimes end by 5m, but only a quarter of the sessions open at drain start do.
    expect(1 - r.survival(300)).toBeCloseTo(0.75, 9);
  });

  it('matches a brute-force stationary population for lognormal lifetimes (inspection paradox)', () => {
    const spec = 'lognormal(median=1m, sigma=1)';
    const open = openAtDrainStart(spec, Infinity, 60 * Math.exp(7), 40, 1);
    const r = residualOf(spec);
    const lifetime = parseDistribution(spec);
    expect(open.length).toBeGreaterThan(3000);
    for (const t of [30, 60, 180, 600]) expectWithinSamplingError(fractionAbove(open, t), r.survival(t), open.length);
    // In the tail, which a drain target is about, the raw lifetime distribution is far off.
    for (const t of [180, 600, 1800]) expect(r.survival(t)).toBeGreaterThan(1.5 * (1 - lifetime.cdf(t)));
  });

  it('matches a brute-force population with a TTL, where each session is a chain of connections', () => {
    const spec = 'lognormal(median=1m, sigma=1)';
    const ttl = 120;
    const open = openAtDrainStart(spec, ttl, 60 * Math.exp(7), 40, 2);
    const r = residualOf(spec, ttl);
    for (const t of [10, 45, 90, 115]) expectWithinSamplingError(fractionAbove(open, t), r.survival(t), open.length);
    expect(Math.max(...open)).toBeLessThanOrEqual(ttl);
  });

  it('draws samples with the distribution survival() describes, with and without a TTL', () => {
    for (const ttl of [Infinity, 120]) {
      const r = residualOf('lognormal(median=1m, sigma=1)', ttl);
      const rng = new RandomStreams(3).stream('samples');
      const draws = Array.from({ length: 40_000 }, () => r.sample(rng));
      for (const t of [10, 60, 100, 400])
        expectWithinSamplingError(fractionAbove(draws, t), r.survival(t), draws.length);
    }
  });

  it('shares one integration table among TTL variants', () => {
    const r = residualOf('exp(mean=2m)');
    expect(r.withTtl(60).integrated).toBe(r.integrated);
    expect(() => r.withTtl(0)).toThrow(RangeError);
  });

  it('with a short TTL over a long tail, sums only the periods that matter and stays within 1e-9 of every period summed', () => {
    const r = residualOf('lognormal(median=40m, p99=8h)');
    const T = 300;
    const G = r.integrated;
    // Every period summed one by one, until the remaining mass is negligible: the definition.
    const bruteForce = (x: number): number => {
      let sum = 0;
      let k = 0;
      for (; G.mean - G.at(k * T) > 1e-12 * G.mean && k * T < G.end; k++) sum += G.at((k + 1) * T) - G.at(k * T + x);
      return (sum + ((G.mean - G.at(k * T)) * (T - x)) / T) / G.mean;
    };
    const withTtl = r.withTtl(T);
    for (const x of [30, 299]) expect(Math.abs(withTtl.survival(x) - bruteForce(x))).toBeLessThan(1e-9);
  });
});
