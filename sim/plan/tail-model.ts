/**
 * The drain time from measured sessions with a fitted tail: peaks over threshold (Coles, "An
 * Introduction to Statistical Modeling of Extreme Values", 2001, ch. 4; Pickands 1975).
 *
 * The time t by which `target` of the sessions open at drain start end solves
 * E[(L − t)⁺] = (1 − target)·E[L] (residual-life.ts), so it rests on the sessions longer than t
 * alone, and at 99.9 % there are about one in a thousand of them, or none: the measured
 * (empirical) distribution has nothing past its longest session and its time runs short, and a
 * bootstrap of it cannot see that (stats29, README "plan drain"). Here the k = max(10, ⌈n/5⌉)
 * longest sessions' excesses over the next one, u, are fitted by a generalized Pareto
 * distribution GPD(σ, ξ), P(L − u > y | L > u) = (1 + ξy/σ)^(−1/ξ), which every lifetime the
 * planner meets approaches over a high threshold (Pickands–Balkema–de Haan): exponential,
 * lognormal and Weibull tails with ξ = 0 in the limit, Pareto ones with ξ = 1/shape. Below u the
 * measured sessions are kept as they are, each with weight 1/n. Then, for t ≥ u,
 *
 *   E[(L − t)⁺] = (k/n)·σ/(1 − ξ)·(1 + ξ(t − u)/σ)^(1 − 1/ξ)   (ξ = 0: (k/n)·σ·e^(−(t − u)/σ)),
 *   E[L] = (Σ_{xᵢ ≤ u} xᵢ + k·(u + σ/(1 − ξ))) / n,
 *
 * and t has a closed form; a tail with ξ ≥ 1 has no mean and t is infinite.
 *
 * The fit keeps ξ ≥ 0 (a tail at least as long as exponential). Over a finite threshold a
 * Weibull tail lighter than exponential fits ξ < 0, but so does an exponential sample by chance
 * about half the time, and a negative ξ puts an end to the tail that the sessions do not have:
 * measured on exponential lifetimes (n = 1,000, 99.9 %, k = n/10, a NumPy check) the unconstrained
 * fit's 95 % interval missed below the true time 12 % of the time, the constrained one 4 %. For a
 * lighter tail the constraint errs long (a drain waits longer than it must), never short.
 */
import type { Rng } from '../engine/random.js';
import { nearestRank } from '../sweep/sample-stats.js';

/** Share of the measured sessions whose excesses the GPD is fitted to, and the fewest it takes. */
export const TAIL_SHARE = 0.2;
export const MIN_TAIL_SESSIONS = 10;

export interface GpdFit {
  /** ξ ≥ 0; 0 is an exponential tail. */
  shape: number;
  /** σ > 0 (0 when every excess is 0). */
  scale: number;
  logLikelihood: number;
}

/** Grid of θ·ȳ for the profile search: 10 points a decade from 1e-4 to 1e4. */
const GRID = Array.from({ length: 81 }, (_, j) => 10 ** (-4 + j / 10));
const GOLDEN = (Math.sqrt(5) - 1) / 2;
const REFINE_STEPS = 60;

/**
 * Maximum-likelihood GPD(σ, ξ) for excesses y ≥ 0 with ξ ≥ 0, by the profile likelihood in
 * θ = ξ/σ (Grimshaw 1993, "Computing maximum likelihood estimates for the generalized Pareto
 * distribution", Technometrics 35): for a given θ the best ξ is mean ln(1 + θy), and the
 * log-likelihood is −k·(ln(ξ/θ) + ξ + 1); θ → 0 is the exponential, −k·(ln ȳ + 1). The profile is
 * searched on a log grid of θ and refined by golden section around the best point.
 */
export function fitGpd(excesses: ArrayLike<number>): GpdFit {
  const k = excesses.length;
  if (k === 0) throw new RangeError('fitGpd needs at least one excess');
  let sum = 0;
  for (let i = 0; i < k; i++) sum += excesses[i]!;
  const mean = sum / k;
  if (!(mean > 0)) return { shape: 0, scale: 0, logLikelihood: 0 };
  const shapeAt = (theta: number): number => {
    let s = 0;
    for (let i = 0; i < k; i++) s += Math.log1p(theta * excesses[i]!);
    return s / k;
  };
  const profile = (theta: number): number => {
    if (theta === 0) return -k * (Math.log(mean) + 1);
    const xi = shapeAt(theta);
    return -k * (Math.log(xi / theta) + xi + 1);
  };
  // θ = 0 and the grid; the best point and its neighbours bracket the maximum.
  const thetas = [0, ...GRID.map((g) => g / mean)];
  let best = 0;
  let bestValue = profile(0);
  for (let j = 1; j < thetas.length; j++) {
    const v = profile(thetas[j]!);
    if (v > bestValue) {
      best = j;
      bestValue = v;
    }
  }
  let a = thetas[Math.max(best - 1, 0)]!;
  let b = thetas[Math.min(best + 1, thetas.length - 1)]!;
  for (let step = 0; step < REFINE_STEPS; step++) {
    const c = b - GOLDEN * (b - a);
    const d = a + GOLDEN * (b - a);
    if (profile(c) > profile(d)) b = d;
    else a = c;
  }
  const mid = (a + b) / 2;
  // bestValue ≥ profile(0) (the search starts there and moves only up), so θ is 0 unless some
  // θ > 0 is strictly more likely: no separate test against the exponential is needed.
  const theta = profile(mid) > bestValue ? mid : thetas[best]!;
  if (theta === 0) return { shape: 0, scale: mean, logLikelihood: profile(0) };
  const shape = shapeAt(theta);
  return { shape, scale: shape / theta, logLikelihood: profile(theta) };
}

/** Measured sessions with a GPD tail over the k longest: see the top of this file. */
export class TailModel {
  private constructor(
    /** The measured sessions, ascending; the last `tailSessions` are replaced by the GPD. */
    private readonly sorted: Float64Array,
    readonly tailSessions: number,
    readonly threshold: number,
    readonly gpd: GpdFit,
    /** E[L] of the body-plus-tail distribution (Infinity when ξ ≥ 1). */
    readonly mean: number,
  ) {}

  /** Tail sessions for n measured: max(10, ⌈n/5⌉), and at most n − 1 (the threshold is the next one). */
  static tailSessionsFor(n: number): number {
    return Math.min(n - 1, Math.max(MIN_TAIL_SESSIONS, Math.ceil(TAIL_SHARE * n)));
  }

  /** `sorted` ascending, at least MIN_TAIL_SESSIONS + 1 values. */
  static fit(sorted: Float64Array): TailModel {
    const n = sorted.length;
    if (n < MIN_TAIL_SESSIONS + 1)
      throw new RangeError(`a tail fit needs at least ${MIN_TAIL_SESSIONS + 1} sessions, got ${n}`);
    const k = TailModel.tailSessionsFor(n);
    const u = sorted[n - k - 1]!;
    const excesses = new Float64Array(k);
    for (let i = 0; i < k; i++) excesses[i] = sorted[n - k + i]! - u;
    const gpd = fitGpd(excesses);
    let body = 0;
    for (let i = 0; i < n - k; i++) body += sorted[i]!;
    const mean = gpd.shape >= 1 ? Infinity : (body + k * (u + gpd.scale / (1 - gpd.shape))) / n;
    return new TailModel(sorted, k, u, gpd, mean);
  }

  /** The shortest drain after which at most `fractionOpen` of the connections are expected open. */
  timeUntil(fractionOpen: number): number {
    if (fractionOpen >= 1) return 0;
    if (!Number.isFinite(this.mean)) return Infinity;
    const n = this.sorted.length;
    const k = this.tailSessions;
    const u = this.threshold;
    const { shape: xi, scale: sigma } = this.gpd;
    const goal = fractionOpen * this.mean;
    // E[(L − u)⁺]: the tail's share of the remaining life at the threshold.
    const tailMass = ((k / n) * sigma) / (1 - xi);
    if (goal < tailMass) {
      // (1 + ξz/σ)^((ξ − 1)/ξ) = goal/tailMass, so z = σ·((goal/tailMass)^(−ξ/(1 − ξ)) − 1)/ξ; expm1
      // keeps it exact as ξ → 0, where it is σ·ln(tailMass/goal).
      const logRatio = Math.log(tailMass / goal);
      const z = xi === 0 ? sigma * logRatio : (sigma * Math.expm1((xi / (1 - xi)) * logRatio)) / xi;
      return u + z;
    }
    // Inside the body: n·E[(L − t)⁺] is piecewise linear, falling with slope n − j (the sessions
    // above t) between sorted[j − 1] and sorted[j]; walk down from u = sorted[n − k − 1].
    const level = goal * n;
    let above = tailMass * n;
    for (let j = n - k - 1; j > 0; j--) {
      const x = this.sorted[j]!;
      const atLower = above + (n - j) * (x - this.sorted[j - 1]!);
      if (atLower >= level) return x - (level - above) / (n - j);
      above = atLower;
    }
    return this.sorted[0]! - (level - above) / n;
  }
}

export interface TailInterval {
  low: number;
  high: number;
  resamples: number;
  /** The tail model's own time from all the measured sessions. */
  estimate: number;
  /** Sessions the GPD is fitted to, the threshold it is fitted over, and its fit. */
  tailSessions: number;
  threshold: number;
  shape: number;
  scale: number;
}

/**
 * 95 % interval of the time until at most `fractionOpen` of the connections remain: resample the
 * measured sessions with replacement, refit the tail, and take the 2.5 % and 97.5 % points of the
 * times (percentile method, Efron & Tibshirani 1993 ch. 13).
 */
export function tailBootstrap(samples: Float64Array, fractionOpen: number, resamples: number, rng: Rng): TailInterval {
  const n = samples.length;
  const model = TailModel.fit(samples);
  const times = new Float64Array(resamples);
  const resample = new Float64Array(n);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < n; i++) resample[i] = samples[Math.floor(rng.next() * n)]!;
    resample.sort();
    times[b] = TailModel.fit(resample).timeUntil(fractionOpen);
  }
  times.sort();
  return {
    low: nearestRank(times, 0.025),
    high: nearestRank(times, 0.975),
    resamples,
    estimate: model.timeUntil(fractionOpen),
    tailSessions: model.tailSessions,
    threshold: model.threshold,
    shape: model.gpd.shape,
    scale: model.gpd.scale,
  };
}
