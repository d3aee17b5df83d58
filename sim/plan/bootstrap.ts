/**
 * How sure a plan from measured durations is: the bootstrap. Resample the measured sessions
 * with replacement, recompute the drain time, and the spread of the answers is the 95 %
 * interval (percentile method, Efron & Tibshirani 1993 ch. 13).
 *
 * The plan's interval refits a generalized Pareto tail to each resample (tail-model.ts): the
 * drain time rests on the few sessions longer than it, and the measured sessions alone have
 * nothing past the longest. Session 29's interval recomputed the time of the measured sessions
 * themselves (measuredBootstrap below); on exponential lifetimes its "95 %" held the true time
 * 56 % of the time at n = 1,000 and target 99.9 %, every miss below it. It stays for
 * scripts/plan-coverage.mjs, which measures both.
 */
import type { Rng } from '../engine/random.js';
import { Empirical } from '../scenario/distributions/empirical.js';
import { nearestRank } from '../sweep/sample-stats.js';
import { ResidualLife } from './residual-life.js';
import { MIN_TAIL_SESSIONS, type TailInterval, tailBootstrap } from './tail-model.js';

export interface BootstrapInterval {
  low: number;
  high: number;
  resamples: number;
}

/** Fewest measured sessions the plan's interval takes: the tail fit needs them and one more below. */
export const MIN_INTERVAL_SESSIONS = MIN_TAIL_SESSIONS + 1;

/** The plan's 95 % interval of the time until at most `fractionOpen` of the connections remain. */
export function bootstrapDrainTime(
  samples: Float64Array,
  fractionOpen: number,
  resamples: number,
  rng: Rng,
): TailInterval {
  return tailBootstrap(samples, fractionOpen, resamples, rng);
}

/** Session 29's interval: the percentile bootstrap of the measured sessions' own time. */
export function measuredBootstrap(
  samples: Float64Array,
  fractionOpen: number,
  resamples: number,
  rng: Rng,
): BootstrapInterval {
  const n = samples.length;
  const times = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    const resample = new Float64Array(n);
    for (let i = 0; i < n; i++) resample[i] = samples[Math.floor(rng.next() * n)]!;
    resample.sort();
    times[b] = ResidualLife.of(new Empirical('bootstrap', resample)).timeUntil(fractionOpen);
  }
  times.sort();
  return { low: nearestRank(times, 0.025), high: nearestRank(times, 0.975), resamples };
}
