import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../sim/engine/random.js';
import { type Distribution, DistributionError, parseDistribution } from '../../sim/scenario/distribution.js';
import { normalCdf, normalPdf } from '../../sim/scenario/distributions/normal-math.js';

const N = 200_000;

function sorted(d: Distribution, seed = 2024, n = N): Float64Array {
  const rng = new RandomStreams(seed).stream(d.spec);
  const xs = new Float64Array(n);
  for (let i = 0; i < n; i++) xs[i] = d.sample(rng);
  return xs.sort();
}

function average(xs: Float64Array): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/**
 * Checks a distribution's samples against its closed forms.
 *
 * Mean: the sample mean of n draws has standard error sqrt(variance / n); allow 4 of them.
 *
 * Quantiles: the sample p-quantile q̂ has rank ≈ pn with standard deviation sqrt(p(1 − p)n), so
 * F(q̂) ≈ p ± s with s = sqrt(p(1 − p)/n) (the usual SE sqrt(p(1 − p)/n) / f(q_p), before dividing
 * by the density). Allowing 4 s on the probability scale and mapping back through quantile()
 * gives the bracket quantile(p − 4s) ≤ q̂ ≤ quantile(p + 4s), which needs no density estimate.
 */
function expectSamplesMatch(d: Distribution, variance: number): Float64Array {
  const xs = sorted(d);
  const n = xs.length;
  expect(Math.abs(average(xs) - d.mean())).toBeLessThanOrEqual(4 * Math.sqrt(variance / n) + 1e-12 * d.mean());
  for (const p of [0.5, 0.9]) {
    const s = Math.sqrt((p * (1 - p)) / n);
    const q = xs[Math.floor(p * n)]!;
    expect(q).toBeGreaterThanOrEqual(d.quantile(p - 4 * s));
    expect(q).toBeLessThanOrEqual(d.quantile(p + 4 * s));
  }
  return xs;
}

/**
 * Kolmogorov–Smirnov: for n draws from cdf, sqrt(n)·sup|F_n − F| exceeds 1.95 with probability
 * about 0.001. Checks sample() against cdf() over the whole range, not only at two quantiles.
 */
function expectKolmogorovSmirnov(d: Distribution, xs: Float64Array): void {
  const n = xs.length;
  let sup = 0;
  for (let i = 0; i < n; i++) {
    const f = d.cdf(xs[i]!);
    sup = Math.max(sup, Math.abs(f - i / n), Math.abs(f - (i + 1) / n));
  }
  expect(sup * Math.sqrt(n)).toBeLessThan(1.95);
}

function expectRoundTrips(d: Distribution): void {
  for (const p of [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99]) {
    const x = d.quantile(p);
    expect(d.cdf(x)).toBeCloseTo(p, 10);
    expect(d.quantile(d.cdf(x)) / x).toBeCloseTo(1, 8);
  }
}

function distributionError(text: string, options?: Parameters<typeof parseDistribution>[1]): DistributionError {
  try {
    parseDistribution(text, options);
  } catch (e) {
    expect(e).toBeInstanceOf(DistributionError);
    return e as DistributionError;
  }
  throw new Error(`expected '${text}' to be rejected`);
}

describe('const', () => {
  it('always gives its value', () => {
    const d = parseDistribution('const(5s)');
    expect(d.spec).toBe('const(5s)');
    expect(d.mean()).toBe(5);
    expect(d.quantile(0.3)).toBe(5);
    expect([d.cdf(4.999), d.cdf(5)]).toEqual([0, 1]);
    expect(Array.from(sorted(d, 1, 10))).toEqual(new Array(10).fill(5));
  });

  it('is what a bare duration means', () => {
    expect(parseDistribution('30s').spec).toBe('const(30s)');
    expect(parseDistribution('2h 11m').mean()).toBe(7860);
    expect(parseDistribution('5', { unit: 'number' }).spec).toBe('const(5)');
  });
});

describe('uniform', () => {
  it('matches its closed forms', () => {
    const d = parseDistribution('uniform(1s, 3s)');
    expect(d.mean()).toBe(2);
    expect(d.quantile(0.25)).toBe(1.5);
    expect(d.cdf(2.5)).toBe(0.75);
    expectKolmogorovSmirnov(d, expectSamplesMatch(d, 4 / 12));
    expectRoundTrips(d);
  });

  it('accepts named bounds', () => {
    expect(parseDistribution('uniform(min=1s, max=3s)').spec).toBe('uniform(1s, 3s)');
  });
});

describe('exp', () => {
  it('matches its closed forms', () => {
    const d = parseDistribution('exp(mean=2s)');
    expect(d.spec).toBe('exp(mean=2s)');
    expect(d.mean()).toBe(2);
    expect(d.quantile(0.5)).toBeCloseTo(2 * Math.LN2, 12);
    expectKolmogorovSmirnov(d, expectSamplesMatch(d, 4));
    expectRoundTrips(d);
  });

  it('accepts a rate per second', () => {
    const d = parseDistribution('exp(rate=0.5)');
    expect(d.mean()).toBe(2);
    expect(d.spec).toBe('exp(rate=0.5)');
    expect(parseDistribution('exponential(mean=2s)').spec).toBe('exp(mean=2s)');
  });
});

describe('lognormal', () => {
  const sigma = Math.log(12) / 2.3263478740408408;

  it('puts the median and p99 where they are written', () => {
    const d = parseDistribution('lognormal(median=30m, p99=6h)');
    expect(d.quantile(0.5)).toBeCloseTo(1800, 9);
    expect(d.quantile(0.99)).toBeCloseTo(21_600, 8);
    expect(d.cdf(1800)).toBeCloseTo(0.5, 14);
    expect(d.mean()).toBeCloseTo(1800 * Math.exp((sigma * sigma) / 2), 8);
  });

  it('samples match the closed forms', () => {
    const d = parseDistribution('lognormal(median=30m, p99=6h)');
    const variance = (Math.exp(sigma * sigma) - 1) * Math.exp(2 * Math.log(1800) + sigma * sigma);
    expectKolmogorovSmirnov(d, expectSamplesMatch(d, variance));
    expectRoundTrips(d);
  });

  it('accepts median or mean with sigma', () => {
    expect(parseDistribution('lognormal(median=10s, sigma=0.5)').quantile(0.5)).toBeCloseTo(10, 12);
    const byMean = parseDistribution('lognormal(mean=45m, sigma=1)');
    expect(byMean.mean()).toBeCloseTo(2700, 9);
    expectSamplesMatch(byMean, (Math.E - 1) * 2700 ** 2);
  });
});

describe('normal (truncated at 0)', () => {
  /** Mean and variance of N(μ, σ²) truncated to [0, ∞): α = −μ/σ, Z = Φ(μ/σ). */
  function truncatedMoments(mu: number, sd: number): { mean: number; variance: number } {
    const alpha = -mu / sd;
    const z = normalCdf(mu / sd);
    const lambda = normalPdf(alpha) / z;
    return { mean: mu + sd * lambda, variance: sd * sd * (1 + alpha * lambda - lambda * lambda) };
  }

  it('is nearly the plain normal far from 0', () => {
    const d = parseDistribution('normal(mean=30s, sd=5s)');
    expect(d.mean()).toBeCloseTo(30, 6);
    expect(d.quantile(0.5)).toBeCloseTo(30, 6);
    expectKolmogorovSmirnov(d, expectSamplesMatch(d, 25));
    expectRoundTrips(d);
  });

  it('has the mean and quantiles of the truncated distribution when 0 cuts it', () => {
    const d = parseDistribution('normal(mean=2s, sd=2s)');
    const { mean, variance } = truncatedMoments(2, 2);
    expect(d.mean()).toBeCloseTo(mean, 12);
    expect(d.mean()).toBeGreaterThan(2.5);
    // Median of the truncated law: Φ((m − μ)/σ) = Φ(−1) + (1 − Φ(−1))/2.
    expect(d.cdf(d.quantile(0.5))).toBeCloseTo(0.5, 12);
    expect(d.quantile(0)).toBe(0);
    expect(d.cdf(0)).toBe(0);
    const xs = expectSamplesMatch(d, variance);
    expect(xs[0]).toBeGreaterThanOrEqual(0);
    expectKolmogorovSmirnov(d, xs);
    expectRoundTrips(d);
  });
});

describe('pareto', () => {
  it('matches its closed forms (shape > 2, so the variance is finite)', () => {
    const d = parseDistribution('pareto(scale=1s, shape=2.5)');
    expect(d.mean()).toBeCloseTo(2.5 / 1.5, 12);
    expect(d.quantile(0)).toBe(1);
    const variance = (2.5 * 1) / (1.5 ** 2 * 0.5);
    expectKolmogorovSmirnov(d, expectSamplesMatch(d, variance));
    expectRoundTrips(d);
  });

  it('has an infinite mean when shape ≤ 1 and accepts xm/alpha', () => {
    expect(parseDistribution('pareto(scale=1s, shape=1)').mean()).toBe(Infinity);
    expect(parseDistribution('pareto(xm=2s, alpha=1.5)').spec).toBe('pareto(scale=2s, shape=1.5)');
  });
});

describe('empirical', () => {
  const dir = mkdtempSync(join(tmpdir(), 'drainsim-empirical-'));
  const write = (name: string, text: string): void => writeFileSync(join(dir, name), text);

  it('interpolates linearly between the sorted values', () => {
    write('three.csv', '4\n1\n2\n');
    const d = parseDistribution('empirical(three.csv)', { baseDir: dir });
    expect(d.spec).toBe('empirical(three.csv)');
    expect([d.quantile(0), d.quantile(0.25), d.quantile(0.5), d.quantile(0.75), d.quantile(1)]).toEqual([
      1, 1.5, 2, 3, 4,
    ]);
    expect([d.cdf(0.5), d.cdf(1.5), d.cdf(3), d.cdf(4)]).toEqual([0, 0.25, 0.75, 1]);
    // Each gap holds probability 1/2: (1 + 2)/2 · 1/2 + (2 + 4)/2 · 1/2.
    expect(d.mean()).toBe(2.25);
  });

  it('samples match its closed forms', () => {
    const values = Array.from({ length: 50 }, (_, i) => (i * 37) % 101);
    write('many.csv', `latency\n${values.join('\n')}\n`);
    const d = parseDistribution('empirical(many.csv)', { baseDir: dir });
    const s = [...values].sort((a, b) => a - b);
    let second = 0;
    for (let i = 0; i + 1 < s.length; i++)
      second += (s[i]! ** 2 + s[i]! * s[i + 1]! + s[i + 1]! ** 2) / 3 / (s.length - 1);
    expectKolmogorovSmirnov(d, expectSamplesMatch(d, second - d.mean() ** 2));
    expectRoundTrips(d);
  });

  it('picks the named column, reads units and skips headers, comments and blank lines', () => {
    write('columns.csv', 'id,duration,host\n# measured on vm-a\n1,95s,vm-a\n\n2,1.5m,vm-a\n3,60,vm-b\n');
    const d = parseDistribution('empirical(columns.csv)', { baseDir: dir });
    expect([d.quantile(0), d.quantile(0.5), d.quantile(1)]).toEqual([60, 90, 95]);
  });

  it('without a header uses the first column that holds values', () => {
    write('unnamed.csv', 'vm-a,10\nvm-b,20\n');
    expect(parseDistribution('empirical("unnamed.csv")', { baseDir: dir }).mean()).toBe(15);
  });

  it('resolves the path against baseDir', () => {
    mkdirSync(join(dir, 'data'), { recursive: true });
    write('data/one.csv', '42s\n');
    expect(parseDistribution('empirical(data/one.csv)', { baseDir: dir }).quantile(0.7)).toBe(42);
  });

  it('explains a missing, empty or malformed file', () => {
    expect(distributionError('empirical(nope.csv)', { baseDir: dir }).message).toMatch(
      /cannot read 'nope.csv'.*ENOENT/,
    );
    write('empty.csv', '\n\n');
    expect(distributionError('empirical(empty.csv)', { baseDir: dir }).message).toMatch(/holds no values/);
    write('header.csv', 'duration\n');
    expect(distributionError('empirical(header.csv)', { baseDir: dir }).message).toMatch(/header but no values/);
    write('bad.csv', 'duration\n5s\n7x\n');
    const bad = distributionError('empirical(bad.csv)', { baseDir: dir });
    expect(bad.message).toMatch(/line 3.*'7x'/);
    expect(bad.found).toBe("'7x'");
    write('negative.csv', '5\n-1\n');
    expect(distributionError('empirical(negative.csv)', { baseDir: dir }).message).toMatch(/line 2/);
    write('units.csv', '5s\n');
    expect(distributionError('empirical(units.csv)', { baseDir: dir, unit: 'number' }).message).toMatch(
      /no values|cannot read/,
    );
  });
});

describe('mix', () => {
  it('has the weighted mean and CDF, and quantiles by bisection', () => {
    const d = parseDistribution('mix(0.8 exp(mean=2s), 0.2 const(30s))');
    expect(d.spec).toBe('mix(0.8 exp(mean=2s), 0.2 const(30s))');
    expect(d.mean()).toBeCloseTo(0.8 * 2 + 0.2 * 30, 12);
    expect(d.cdf(29.999)).toBeCloseTo(0.8 * (1 - Math.exp(-29.999 / 2)), 12);
    expect(d.cdf(30) - d.cdf(29.999)).toBeCloseTo(0.2, 6);
    // The atom at 30s holds the top 20%.
    expect(d.quantile(0.95)).toBe(30);
    // Below the atom only the exponential part counts: 0.8 · (1 − e^(−x/2)) = 0.5.
    expect(d.quantile(0.5)).toBeCloseTo(-2 * Math.log(1 - 0.5 / 0.8), 9);
    const variance = 0.8 * (4 + 4) + 0.2 * 900 - d.mean() ** 2;
    expectSamplesMatch(d, variance);
  });

  it('round-trips quantiles of a continuous mixture', () => {
    const d = parseDistribution('mix(0.3 exp(mean=1s), 0.7 lognormal(median=1m, sigma=1))');
    expectRoundTrips(d);
    const lognormalVariance = (Math.E - 1) * Math.E * 3600;
    const m2 = 0.3 * 2 + 0.7 * (lognormalVariance + 60 ** 2 * Math.E);
    expectKolmogorovSmirnov(d, expectSamplesMatch(d, m2 - d.mean() ** 2));
  });

  it('accepts percentage weights and bare durations as components', () => {
    expect(parseDistribution('mix(50% 1s, 50% 3s)').mean()).toBe(2);
  });
});

describe('spec', () => {
  it('is normalised and parses back to itself', () => {
    const texts = [
      'CONST( 5s )',
      'uniform(min=500ms,max=1m30s)',
      'exp(mean=90s)',
      'lognormal(median=30m, p99=6h)',
      'lognormal(mean=45m, sigma=1.2)',
      'normal(mean=30s, stddev=5s)',
      'pareto(xm=1s, alpha=1.5)',
      'mix(0.25 exp(mean=1s), 0.75 uniform(1s, 3s))',
    ];
    for (const text of texts) {
      const spec = parseDistribution(text).spec;
      expect(parseDistribution(spec).spec).toBe(spec);
    }
    expect(parseDistribution('uniform(min=500ms,max=1m30s)').spec).toBe('uniform(500ms, 1m30s)');
    expect(parseDistribution('exp(mean=1.234567s)').spec).toBe('exp(mean=1.234567s)');
  });
});

describe('errors', () => {
  it('suggests the nearest family for a misspelt one', () => {
    const e = distributionError('lognormall(median=30m, p99=6h)');
    expect(e.message).toContain("did you mean 'lognormal'?");
    expect(e.found).toBe("'lognormall'");
    expect(e.expected).toContain('lognormal');
    expect(distributionError('expo(mean=1s)').message).toContain("did you mean 'exp'?");
    expect(distributionError('weibull(k=1)').message).not.toContain('did you mean');
  });

  it('names missing, unknown, repeated and unnamed arguments', () => {
    expect(distributionError('normal(mean=30s)').message).toMatch(/normal: give mean and sd; found mean/);
    expect(distributionError('exp(mena=2s)').message).toMatch(/unknown argument 'mena' \(did you mean 'mean'\?\)/);
    expect(distributionError('exp(mean=1s, mean=2s)').message).toMatch(/'mean' is given twice/);
    expect(distributionError('exp(2s)').message).toMatch(/argument '2s' needs a name/);
    expect(distributionError('exp(mean=2s, rate=1)').message).toMatch(/give mean, or rate/);
    expect(distributionError('lognormal').message).toMatch(/needs its arguments: lognormal\(median=30m, p99=6h\)/);
  });

  it('rejects bad units, unit-less durations and units on shape parameters', () => {
    const unitless = distributionError('exp(mean=2)');
    expect(unitless.message).toMatch(/exp mean: unit-less duration '2': write it with a unit, e.g. 2s/);
    expect(distributionError('exp(mean=5min)').message).toMatch(/unknown unit 'min'.*did you mean '5m'/);
    expect(distributionError('pareto(scale=1s, shape=2s)').message).toMatch(/shape '2s' must be a plain number/);
    expect(distributionError('exp(mean=2s)', { unit: 'number' }).message).toMatch(/'2s' must be a plain number/);
    expect(distributionError('30').message).toMatch(/^unit-less duration '30'/);
  });

  it('rejects negative and zero scale values', () => {
    expect(distributionError('exp(mean=-2s)').message).toMatch(/negative duration '-2s'/);
    expect(distributionError('exp(mean=0s)').message).toMatch(/greater than 0/);
    expect(distributionError('normal(mean=1, sd=-1)', { unit: 'number' }).message).toMatch(/0 or more/);
    expect(distributionError('uniform(3s, 1s)').message).toMatch(/max \(1s\) is below min \(3s\)/);
    expect(distributionError('exp(rate=0)').message).toMatch(/rate must be greater than 0/);
  });

  it('rejects p99 below the median', () => {
    const e = distributionError('lognormal(median=30m, p99=10m)');
    expect(e.message).toMatch(/p99 \(10m\) must be greater than the median \(30m\)/);
    expect(e.found).toBe('median=30m, p99=10m');
  });

  it('rejects mixture weights that do not sum to 1, or are missing', () => {
    expect(distributionError('mix(0.5 exp(mean=1s), 0.6 const(1s))').message).toMatch(
      /weights 0.5 \+ 0.6 sum to 1.1, not 1/,
    );
    expect(distributionError('mix(exp(mean=1s))').message).toMatch(/needs a weight/);
    expect(distributionError('mix(0.5 exp(mean=1s), 0.5 expp(mean=1s))').message).toContain("did you mean 'exp'?");
  });

  it('rejects empty text, garbage and unbalanced parentheses', () => {
    expect(distributionError('').message).toMatch(/empty distribution/);
    expect(distributionError('exp(mean=2s').message).toMatch(/unbalanced parentheses/);
    expect(distributionError('exp(mean=1s,,)').message).toMatch(/empty argument 2/);
  });

  it('rejects probabilities outside [0, 1] in quantile()', () => {
    expect(() => parseDistribution('exp(mean=1s)').quantile(1.5)).toThrow(RangeError);
  });
});
