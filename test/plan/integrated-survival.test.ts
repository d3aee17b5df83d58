import { describe, expect, it } from 'vitest';
import { PlanError } from '../../sim/plan/errors.js';
import { IntegratedSurvival } from '../../sim/plan/integrated-survival.js';
import { parseDistribution } from '../../sim/scenario/distribution.js';
import { normalCdf } from '../../sim/scenario/distributions/normal-math.js';

const G = (spec: string) => new IntegratedSurvival(parseDistribution(spec));

describe('IntegratedSurvival: G(a) = ∫₀ᵃ P(L > x) dx = E[min(L, a)]', () => {
  it('matches m(1 − e^(−a/m)) for exponential lifetimes', () => {
    const g = G('exp(mean=2m)');
    for (const a of [0.5, 30, 120, 600, 1800, 5000]) expect(g.at(a)).toBeCloseTo(120 * -Math.expm1(-a / 120), 9);
    expect(g.at(0)).toBe(0);
    expect(g.at(1e9)).toBeCloseTo(120, 9);
  });

  it('matches the lognormal partial expectation E[L; L ≤ a] + a·P(L > a)', () => {
    const sigma = Math.log(12) / 2.3263478740408408;
    const mu = Math.log(1800);
    const mean = Math.exp(mu + (sigma * sigma) / 2);
    const g = G('lognormal(median=30m, p99=6h)');
    for (const a of [60, 1800, 7200, 21600, 86400, 1e6]) {
      const z = (Math.log(a) - mu) / sigma;
      const exact = mean * normalCdf(z - sigma) + a * (1 - normalCdf(z));
      expect(Math.abs(g.at(a) - exact) / mean).toBeLessThan(1e-10);
    }
  });

  it('integrates step and bounded survivals exactly: const and uniform', () => {
    const c = G('const(5m)');
    expect(c.at(100)).toBeCloseTo(100, 12);
    expect(c.at(400)).toBeCloseTo(300, 12);
    const u = G('uniform(1m, 5m)');
    // 1 up to 60 s, then falls linearly to 0 at 300 s.
    expect(u.at(60)).toBeCloseTo(60, 10);
    expect(u.at(180)).toBeCloseTo(60 + 120 - (120 * 120) / 480, 9);
    expect(u.at(1000)).toBeCloseTo(180, 9);
  });

  it('inverts: G(inverse(level)) = level', () => {
    const g = G('lognormal(median=30m, p99=6h)');
    for (const level of [1, 100, 1000, 3000, 3184]) expect(g.at(g.inverse(level))).toBeCloseTo(level, 6);
    expect(g.inverse(0)).toBe(0);
    expect(g.inverse(g.mean * 2)).toBe(Infinity);
  });

  it('refuses lifetimes with an infinite mean, and says why', () => {
    expect(() => G('pareto(scale=1m, shape=0.9)')).toThrow(PlanError);
    expect(() => G('pareto(scale=1m, shape=1)')).toThrow(/infinite mean.*steady state/);
  });
});
