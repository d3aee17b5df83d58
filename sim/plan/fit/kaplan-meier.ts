/**
 * The Kaplan–Meier estimate of the survival function from right-censored durations: the
 * empirical distribution when some sessions were still open. Without censoring it is exactly
 * the empirical CDF. At tied times events count before censorings (the usual convention: a
 * session censored at t was at risk at t).
 */
import type { Observation } from './observations.js';

export interface SurvivalCurve {
  /** Distinct event times, ascending. */
  times: Float64Array;
  /** S(t) just after each event time. */
  survival: Float64Array;
}

export function kaplanMeier(observations: readonly Observation[]): SurvivalCurve {
  const sorted = [...observations].sort((a, b) => a.seconds - b.seconds || Number(a.censored) - Number(b.censored));
  const times: number[] = [];
  const survival: number[] = [];
  let atRisk = sorted.length;
  let s = 1;
  let i = 0;
  while (i < sorted.length) {
    const t = sorted[i]!.seconds;
    let events = 0;
    let leaving = 0;
    while (i < sorted.length && sorted[i]!.seconds === t) {
      if (!sorted[i]!.censored) events++;
      leaving++;
      i++;
    }
    if (events > 0) {
      s *= 1 - events / atRisk;
      times.push(t);
      survival.push(s);
    }
    atRisk -= leaving;
  }
  return { times: Float64Array.from(times), survival: Float64Array.from(survival) };
}

/** The smallest event time t with 1 − S(t) ≥ p, or undefined when the censoring hides it. */
export function survivalQuantile(curve: SurvivalCurve, p: number): number | undefined {
  const target = 1 - p;
  // Binary search for the first index with survival ≤ 1 − p (survival is non-increasing).
  let lo = 0;
  let hi = curve.survival.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (curve.survival[mid]! <= target + 1e-12) hi = mid;
    else lo = mid + 1;
  }
  return lo < curve.times.length ? curve.times[lo] : undefined;
}
