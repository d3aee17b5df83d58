/**
 * The generalized Pareto tail of the plan's drain-time interval against SciPy 1.17.1 (python3):
 * the fit against stats.genpareto.fit(y, floc=0) refined by Nelder–Mead on its log-likelihood, the
 * drain time against brentq on E[(L − t)⁺] = (1 − target)·E[L] written with the GPD's mean excess
 * (σ + ξz)/(1 − ξ) (Coles 2001, 4.3.1) and stats.genpareto.sf, not with tail-model.ts's closed form.
 */
import { describe, expect, it } from 'vitest';
import { fitGpd, TailModel } from '../../sim/plan/tail-model.js';

function close(actual: number, expected: number, relative: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(relative * Math.abs(expected));
}

/** Lomax(scale 120 s, shape 2.5) quantiles at (i + 0.5)/n: a Pareto tail, ξ = 0.4. */
function lomaxQuantiles(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => 120 * ((1 - (i + 0.5) / n) ** (-1 / 2.5) - 1)).sort();
}

describe('fitGpd: maximum likelihood with ξ ≥ 0', () => {
  it('matches SciPy where the unconstrained fit has ξ > 0', () => {
    // y = 120·((1 − (i + 0.5)/25)^(−1/2.5) − 1); stats.genpareto.fit(y, floc=0), then Nelder–Mead
    const fit = fitGpd(lomaxQuantiles(25));
    close(fit.shape, 0.33869984, 1e-6);
    close(fit.scale, 50.01437977, 1e-6);
    close(fit.logLikelihood, -131.27525985399953, 1e-12);
  });

  it('is the exponential (ξ = 0, σ = mean) where the unconstrained fit has ξ < 0', () => {
    // y = 120·√(−ln(1 − (i + 0.5)/20)), Weibull(2) quantiles: stats.genpareto.fit(y, floc=0) gives
    // ξ = −0.8055 (a tail ending at 234 s); bounded at ξ = 0 the best is stats.expon with the mean,
    // log-likelihood stats.expon.logpdf(y, 0, y.mean()).sum() = −113.26309545485947.
    const y = Array.from({ length: 20 }, (_, i) => 120 * Math.sqrt(-Math.log(1 - (i + 0.5) / 20)));
    const fit = fitGpd(y);
    expect(fit.shape).toBe(0);
    close(fit.scale, 105.96986621891804, 1e-12);
    close(fit.logLikelihood, -113.26309545485947, 1e-12);
  });
});

describe('TailModel: measured sessions below the threshold, the GPD above', () => {
  // n = 100 Lomax quantiles: k = max(10, ⌈100/5⌉) = 20 over u = x[79]; SciPy: ξ = 0.28860570621782394,
  // σ = 101.85715769360998, E[L] = 77.72671765301149, and brentq on
  // E(t) = Σ_{body}(x − t)⁺/n + (k/n)·[t ≥ u ? genpareto.sf(t − u)·(σ + ξ(t − u))/(1 − ξ) : u − t + σ/(1 − ξ)].
  const model = TailModel.fit(lomaxQuantiles(100));

  it('fits the 20 longest sessions over the 21st', () => {
    expect(model.tailSessions).toBe(20);
    close(model.threshold, 106.19328174205633, 1e-12);
    close(model.gpd.shape, 0.28860570621782394, 1e-6);
    close(model.gpd.scale, 101.85715769360998, 1e-6);
    close(model.mean, 77.72671765301149, 1e-7);
  });

  it.each([
    [0.999, 3633.213846499298],
    [0.99, 1277.794234166549],
    [0.9, 352.29072719068444],
    [0.5, 66.9651184980591], // below the threshold: the measured sessions
  ])('target %f: %f s', (target, seconds) => {
    close(model.timeUntil(1 - target), seconds, 1e-6);
  });

  it('has no time for a tail without a mean (ξ ≥ 1)', () => {
    // Pareto(shape 0.8) quantiles: a tail with ξ = 1/0.8 and no mean.
    const x = Float64Array.from({ length: 200 }, (_, i) => 60 * (1 - (i + 0.5) / 200) ** (-1 / 0.8)).sort();
    const m = TailModel.fit(x);
    expect(m.gpd.shape).toBeGreaterThan(1);
    expect(m.timeUntil(0.001)).toBe(Infinity);
  });

  it('takes at least 10 tail sessions and one below', () => {
    expect(TailModel.tailSessionsFor(11)).toBe(10);
    expect(TailModel.tailSessionsFor(49)).toBe(10);
    expect(TailModel.tailSessionsFor(51)).toBe(11);
    expect(TailModel.tailSessionsFor(1000)).toBe(200);
    expect(() => TailModel.fit(lomaxQuantiles(10))).toThrow(RangeError);
  });
});
