/**
 * How sure a plan from measured durations is: the bootstrap. Resample the measured sessions
 * with replacement, recompute the drain time, and the spread of the answers is the 95 %
 * interval (percentile method). A few hundred sessions from logs pin the median well and the
 * 99.9 % point of the residual life poorly; this says by how much.
 */
import type { Rng } from '../engine/random.js';
import { Empirical } from '../scenario/distributions/empirical.js';
import { nearestRank } from '../sweep/sample-stats.js';
import { ResidualLife } from './residual-life.js';

export interface BootstrapInterval {
  low: number;
  high: number;
  resamples: number;
}

/** 95 % interval of the time until at most `fractionOpen` of the connections remain. */
export function bootstrapDrainTime(
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
