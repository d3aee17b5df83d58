#!/usr/bin/env node
/**
 * Coverage of `drainsim plan drain`'s 95 % interval for the drain time from measured sessions:
 * draw `reps` data sets of n sessions from a known lifetime, compute the interval of each, and
 * count how often it holds the true time (the residual-life quantile of the known lifetime, in
 * closed form below) and how often it misses below it (a drain timeout too short).
 *
 *   node scripts/plan-coverage.mjs <exp|lognormal|weibull0.5|weibull2|lomax2.5> <n> <target> [reps=200] [resamples=200] [seed=1]
 *
 * Needs `npm run build`. Prints one line per method: the percentile bootstrap of the measured
 * sessions (session 29's interval, sim/plan/bootstrap.ts) and the peaks-over-threshold tail
 * bootstrap (sim/plan/tail-model.ts).
 */
import { RandomStreams } from '../dist/sim/engine/random.js';
import { bootstrapDrainTime, measuredBootstrap } from '../dist/sim/plan/bootstrap.js';
import { normalCdf, normalQuantile } from '../dist/sim/scenario/distributions/normal-math.js';

/** Bisection for a decreasing f on (lo, hi). */
function solve(f, lo, hi) {
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) > 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

// Each lifetime: a sampler from a uniform, and the residual survival P(R > t) = E[(L − t)⁺]/E[L].
const SIGMA = Math.log(12) / normalQuantile(0.99); // lognormal(median=30m, p99=6h)
const LIFETIMES = {
  exp: { draw: (u) => -120 * Math.log1p(-u), residual: (t) => Math.exp(-t / 120) },
  lognormal: {
    draw: (u) => 1800 * Math.exp(SIGMA * normalQuantile(u)),
    residual: (t) => {
      const mean = 1800 * Math.exp((SIGMA * SIGMA) / 2);
      const z = Math.log(t / 1800) / SIGMA;
      return normalCdf(SIGMA - z) - (t / mean) * normalCdf(-z);
    },
  },
  // Weibull(shape 0.5, scale 60 s): E[(L − t)⁺] = 2λ·e^(−z)(1 + z), z = √(t/λ), E[L] = 2λ.
  'weibull0.5': {
    draw: (u) => 60 * Math.log1p(-u) ** 2,
    residual: (t) => {
      const z = Math.sqrt(t / 60);
      return Math.exp(-z) * (1 + z);
    },
  },
  // Weibull(shape 2, scale 120 s), a tail lighter than exponential: P(R > t) = erfc(t/λ).
  weibull2: { draw: (u) => 120 * Math.sqrt(-Math.log1p(-u)), residual: (t) => 2 * normalCdf((-t / 120) * Math.SQRT2) },
  // Lomax (Pareto II, scale 120 s, shape 2.5, ξ = 0.4): P(R > t) = (1 + t/s)^(1 − a).
  'lomax2.5': { draw: (u) => 120 * ((1 - u) ** (-1 / 2.5) - 1), residual: (t) => (1 + t / 120) ** -1.5 },
};

const [name, nText, targetText, repsText = '200', resamplesText = '200', seedText = '1'] = process.argv.slice(2);
const lifetime = LIFETIMES[name];
if (lifetime === undefined || nText === undefined || targetText === undefined) {
  console.error(
    `usage: plan-coverage.mjs <${Object.keys(LIFETIMES).join('|')}> <n> <target> [reps] [resamples] [seed]`,
  );
  process.exit(2);
}
const n = Number(nText);
const target = Number(targetText);
const reps = Number(repsText);
const resamples = Number(resamplesText);
const open = 1 - target;
const truth = solve((t) => lifetime.residual(t) - open, 0, 1e9);

const methods = {
  'measured bootstrap': (x, rng) => measuredBootstrap(x, open, resamples, rng),
  'tail bootstrap': (x, rng) => bootstrapDrainTime(x, open, resamples, rng),
};
const results = Object.fromEntries(Object.keys(methods).map((m) => [m, { hit: 0, below: 0, widths: [] }]));
let outliving = 0;
const streams = new RandomStreams(Number(seedText));
const data = streams.stream('coverage.data');
for (let r = 0; r < reps; r++) {
  const x = Float64Array.from({ length: n }, () => lifetime.draw(data.next())).sort();
  for (const v of x) if (v > truth) outliving++;
  for (const [m, interval] of Object.entries(methods)) {
    const { low, high } = interval(x, streams.stream(`coverage.${m}.${r}`));
    const res = results[m];
    if (low <= truth && truth <= high) res.hit++;
    if (high < truth) res.below++;
    res.widths.push((high - low) / truth);
  }
}
for (const [m, res] of Object.entries(results)) {
  const widths = res.widths.sort((a, b) => a - b);
  const median = widths[Math.floor((widths.length - 1) / 2)];
  console.log(
    `${name} n=${n} target=${target} truth=${truth.toFixed(1)}s outliving=${(outliving / reps).toFixed(1)} ${m}: ` +
      `coverage ${(res.hit / reps).toFixed(3)}, below ${(res.below / reps).toFixed(3)}, median width ${median.toPrecision(3)}× truth (${reps} data sets, ${resamples} resamples)`,
  );
}
