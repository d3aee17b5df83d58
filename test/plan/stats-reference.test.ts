/**
 * The planner's and the sweep's statistics against values computed independently (SciPy 1.17.1,
 * NumPy 2.4.6, in python3; the snippet is next to each table), so a change in any definition —
 * interval, percentile rule, residual-life integral, censored likelihood — fails here.
 */
import { describe, expect, it } from 'vitest';
import { Histogram, percentileOfSorted } from '../../sim/metrics/histogram.js';
import { ksPValue } from '../../sim/plan/fit/goodness.js';
import { kaplanMeier, survivalQuantile } from '../../sim/plan/fit/kaplan-meier.js';
import { fitExponential, fitLognormal, fitPareto } from '../../sim/plan/fit/mle.js';
import { ResidualLife } from '../../sim/plan/residual-life.js';
import { wilsonInterval } from '../../sim/plan/wilson.js';
import { parseDistribution } from '../../sim/scenario/distribution.js';
import { Empirical } from '../../sim/scenario/distributions/empirical.js';
import { sampleStats } from '../../sim/sweep/sample-stats.js';

function close(actual: number, expected: number, relative: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(relative * Math.abs(expected));
}

describe('Wilson score interval (z = Φ⁻¹(0.975), no continuity correction)', () => {
  // z = stats.norm.ppf(0.975); c = (p + z²/2n)/(1 + z²/n); h = z/(1 + z²/n)·√(p(1−p)/n + z²/4n²)
  const REFERENCE: [successes: number, trials: number, low: number, high: number][] = [
    [0, 10, 0, 0.2775327998628892],
    [1, 10, 0.017876213095072868, 0.4041500267952385],
    [5, 10, 0.236593090512564, 0.7634069094874361],
    [10, 10, 0.7224672001371107, 0.9999999999999999],
    [3, 1000, 0.0010207838811386186, 0.008783014053503173],
    [999, 1000, 0.9943574414020421, 0.9998234536293739],
  ];
  it.each(REFERENCE)('%i of %i', (s, n, low, high) => {
    const w = wilsonInterval(s, n);
    expect(w.estimate).toBe(s / n);
    expect(w.low).toBeCloseTo(low, 14);
    expect(w.high).toBeCloseTo(high, 14);
  });
});

describe('percentile rules', () => {
  const x = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3];

  it('sweeps: mean ± t₀.₉₇₅,ₙ₋₁·s/√n as stats.t.interval, percentiles as np.percentile(method="inverted_cdf")', () => {
    // stats.t.interval(0.95, 9, loc=x.mean(), scale=stats.sem(x))
    const s = sampleStats(x)!;
    expect(s.ci95Low).toBeCloseTo(2.1331987752405404, 12);
    expect(s.ci95High).toBeCloseTo(5.6668012247594595, 12);
    // np.percentile(x, [50, 95, 99], method='inverted_cdf') = 3, 9, 9 (nearest rank).
    expect([s.p50, s.p95, s.p99]).toEqual([3, 9, 9]);
  });

  it('summary histograms use the same nearest rank (to 3 significant digits)', () => {
    const h = new Histogram();
    const values = Array.from({ length: 1000 }, (_, i) => 0.001 * (i + 1) ** 1.5);
    for (const v of values) h.record(v);
    for (const p of [0.5, 0.9, 0.95, 0.99, 0.999]) close(h.percentile(p), percentileOfSorted(values, p), 1e-3);
  });

  it('empirical() interpolates its inverse CDF linearly: np.percentile(x) (Hyndman–Fan 7), mean counting the ends half', () => {
    const e = new Empirical('x', Float64Array.from(x).sort());
    // np.percentile(x, [10, 50, 90, 95, 99])
    const numpy = [1.0, 3.5, 6.299999999999999, 7.649999999999997, 8.73];
    [0.1, 0.5, 0.9, 0.95, 0.99].forEach((p, i) => expect(e.quantile(p)).toBeCloseTo(numpy[i]!, 12));
    // (sum − (min + max)/2)/(n − 1) = (39 − 5)/9
    expect(e.mean()).toBeCloseTo(34 / 9, 14);
  });
});

describe('residual life of the sessions open at drain start: P(R > t) = ∫ₜ^∞ P(L > u) du / E[L]', () => {
  // R(t) = integrate.quad(sf, t, inf, epsrel=1e-12)[0]/mean; quantiles by optimize.brentq.
  // lognormal: stats.lognorm(s=ln(12)/Φ⁻¹(0.99), scale=1800); pareto: stats.pareto(b=2.5, scale=10);
  // mix: sf = 0.9·e^(−t/60) + 0.1·e^(−t/3600).
  const REFERENCE: [spec: string, mean: number, survival: number[], q999: number, q50: number][] = [
    [
      'lognormal(median=30m, p99=6h)',
      3184.4106037683796,
      [0.9811613069981114, 0.8221827922099018, 0.3705874017164328, 0.03633106501047377],
      95992.77766645962,
      2328.0700437959963,
    ],
    [
      'pareto(scale=10s, shape=2.5)',
      16.666666666666668,
      [0.027216552697590872, 8.606629658238698e-4, 5.856069741052555e-5, 3.984550767703102e-6],
      542.883523318974,
      8.333333333333645,
    ],
    [
      'mix(0.9 exp(mean=1m), 0.1 exp(mean=1h))',
      414,
      [0.9031768434759426, 0.7360769868522421, 0.31989516623603687, 0.0021554366753620507],
      24364.77601178512,
      1992.1868574652372,
    ],
  ];
  it.each(REFERENCE)('%s', (spec, mean, survival, q999, q50) => {
    const r = ResidualLife.of(parseDistribution(spec));
    close(r.integrated.mean, mean, 1e-12);
    [60, 600, 3600, 21600].forEach((t, i) => close(r.survival(t), survival[i]!, 1e-8));
    close(r.timeUntil(0.001), q999, 1e-8);
    close(r.quantile(0.5), q50, 1e-8);
  });

  it('with a 30-min TTL: (1/E[L])·Σₖ ∫_{kT+x}^{(k+1)T} P(L > u) du', () => {
    // Σ over k of integrate.quad(sf, k·1800 + x, (k+1)·1800) / mean, x = 60 s and 600 s.
    const lognormal = ResidualLife.of(parseDistribution('lognormal(median=30m, p99=6h)')).withTtl(1800);
    close(lognormal.survival(60), 0.9569438473971353, 1e-8);
    close(lognormal.survival(600), 0.5983904188417348, 1e-8);
    const mix = ResidualLife.of(parseDistribution('mix(0.9 exp(mean=1m), 0.1 exp(mean=1h))')).withTtl(1800);
    close(mix.survival(60), 0.8810214903220493, 1e-8);
    close(mix.survival(600), 0.530296541076222, 1e-8);
  });
});

describe('lifetimes from logs with sessions still open (right-censored)', () => {
  const obs = (
    [
      [5, 0],
      [8, 1],
      [12, 0],
      [20, 0],
      [20, 1],
      [33, 0],
      [40, 1],
      [55, 0],
      [70, 0],
      [90, 1],
      [100, 0],
      [150, 1],
    ] as const
  ).map(([seconds, c]) => ({ seconds, censored: c === 1 }));

  it('censored MLE: lognormal as scipy Nelder–Mead on Σ logpdf(ended) + Σ logsf(open); exponential and Pareto closed forms', () => {
    const ln = fitLognormal(obs);
    close(ln.params.mu!, 3.995162536244531, 1e-8);
    close(ln.params.sigma!, 1.256578484180657, 1e-8);
    close(ln.logLikelihood, -37.98947372126759, 1e-10);
    // mean = Σ durations / ended; stats.expon(scale=mean).logpdf(ended).sum() + .logsf(open).sum()
    const ex = fitExponential(obs);
    close(ex.params.mean!, 86.14285714285714, 1e-14);
    close(ex.logLikelihood, -38.19204933370311, 1e-12);
    // scale = min, shape = ended / Σ ln(x/scale); stats.pareto(b=shape, scale=scale) likewise
    const pa = fitPareto(obs);
    expect(pa.params.scale).toBe(5);
    close(pa.params.shape!, 0.31237691380282834, 1e-12);
    close(pa.logLikelihood, -38.59239635309512, 1e-12);
  });

  it('Kaplan–Meier as stats.ecdf(CensoredData(uncensored=…, right=…)).sf', () => {
    const curve = kaplanMeier(obs);
    expect([...curve.times]).toEqual([5, 12, 20, 33, 55, 70, 100]);
    const scipy = [0.91666667, 0.825, 0.73333333, 0.62857143, 0.50285714, 0.37714286, 0.18857143];
    curve.survival.forEach((s, i) => expect(s).toBeCloseTo(scipy[i]!, 8));
    expect(survivalQuantile(curve, 0.5)).toBe(70);
    expect(survivalQuantile(curve, 0.9)).toBeUndefined(); // S stops at 0.1886: the tail is censored
  });

  it('KS p-value: Kolmogorov limit with Stephens’ correction, stats.kstwobign.sf((√n + 0.12 + 0.11/√n)·D)', () => {
    close(ksPValue(0.2, 50), 0.03137665215307253, 1e-9);
    close(ksPValue(0.1, 100), 0.25622118507010405, 1e-9);
    close(ksPValue(0.05, 1000), 0.012958845703741699, 1e-9);
  });
});
