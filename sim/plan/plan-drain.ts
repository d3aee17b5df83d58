/**
 * `drainsim plan drain`: from how long sessions live, how long a drain must wait.
 *
 * A drain waits for the residual life of the sessions open when it starts, not for the session
 * lifetime (see residual-life.ts). If the time by which `target` of them have ended fits the
 * window, that is the drain timeout. If not (long-lived WebSockets: seed Part 4), no timeout
 * fits, and the plan gives the seed's two fixes instead: a session TTL short enough that the
 * drain reaches its target within the window (strategy 3), and a drain notice whose jitter window
 * spreads the reconnections so the rest of the pool can absorb them (strategies 4 and 5). Each
 * number comes with its confidence: Monte Carlo replicas for what is random in a drain, the
 * bootstrap for what is uncertain in measured durations.
 */
import { RandomStreams } from '../engine/random.js';
import { bootstrapDrainTime, MIN_INTERVAL_SESSIONS } from './bootstrap.js';
import { simulateDrains } from './drain-replicas.js';
import { PlanError } from './errors.js';
import type { Lifetimes } from './lifetime-input.js';
import { type ReconnectPeak, reconnectPeak } from './reconnect-peak.js';
import { ResidualLife } from './residual-life.js';
import type { TailInterval } from './tail-model.js';
import { longestTtl } from './ttl-search.js';
import type { ProportionEstimate } from './wilson.js';

export interface DrainPlanInput {
  lifetimes: Lifetimes;
  /** Sessions open on the backend when its drain starts. */
  sessions: number;
  /** Longest drain the deploy can afford, seconds. */
  window: number;
  /** Fraction of the sessions that must end on their own before the timeout, e.g. 0.999. */
  target: number;
  /** Reconnections per second the rest of the pool absorbs; null: spread over the whole window. */
  reconnectCapacity: number | null;
  seed: number;
  /** Monte Carlo replicas per estimate. */
  replicas: number;
  /** Bootstrap resamples when the lifetimes are measured durations. */
  resamples: number;
}

export interface Percentiles {
  p50: number;
  p99: number;
  /** The `target` quantile. */
  atTarget: number;
}

export interface TimeoutAssessment {
  timeout: number;
  /** Sessions the timeout is expected to cut: N · P(R > timeout). */
  expectedOpen: number;
  /** The same over Monte Carlo drains. */
  openP50: number;
  openP99: number;
  /** P(every session ended by the timeout) = (1 − P(R > t))^N, and its Monte Carlo estimate. */
  allEndedExact: number;
  allEnded: ProportionEstimate;
}

export interface TtlAdvice {
  ttl: number;
  /** Fraction of sessions that live past the TTL at least once. */
  reachFraction: number;
  /** TTL closes per second on one backend in steady state (each is one reconnect). */
  reconnectsPerSecond: number;
}

export interface NoticeAdvice {
  /** retryAfter of the drain notice: clients reconnect uniformly within it. */
  retryAfter: number;
  peak: ReconnectPeak;
  fitsWindow: boolean;
}

export interface DrainPlan {
  input: Omit<DrainPlanInput, 'lifetimes'> & { lifetimes: string; measuredSessions: number | null };
  lifetime: Percentiles & { mean: number };
  /** Residual life of the sessions open at drain start, without a TTL. */
  residual: Percentiles;
  /**
   * For measured durations (at least MIN_INTERVAL_SESSIONS of them): the 95 % interval of the time
   * by which `target` of the sessions end without a TTL, from a generalized Pareto tail fitted to
   * the longest sessions and bootstrapped (tail-model.ts), with that model's own estimate and fit;
   * and how many measured sessions outlive residual.atTarget, the time read off the measured
   * sessions alone, which runs short when they are few (see SPARSE_TAIL).
   */
  residualInterval: (TailInterval & { method: typeof INTERVAL_METHOD; outliving: number }) | null;
  /** Whether a drain timeout alone reaches the target within the window. */
  fits: boolean;
  ttl: TtlAdvice | null;
  /** The recommended drain timeout, with the TTL when there is one. */
  drain: TimeoutAssessment;
  /** When the last session ended, over the Monte Carlo drains. */
  completionP50: number;
  completionP99: number;
  notice: NoticeAdvice | null;
  curves: {
    /** Sessions cut vs drain timeout (with the TTL when there is one). */
    drain: (TimeoutAssessment & { expectedOpenWithoutTtl: number })[];
    /** Reconnect peak vs jitter window. */
    reconnect: ReconnectPeak[];
  };
}

/** What residualInterval is, for plan.json readers. */
export const INTERVAL_METHOD = 'percentile bootstrap of a generalized Pareto tail (peaks over threshold)';

const CURVE_STEPS = 12;
const JITTER_LADDER = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 7200, 14_400, 28_800, 86_400,
];

export function planDrain(input: DrainPlanInput): DrainPlan {
  checkInput(input);
  const { lifetimes, sessions: N, window, target } = input;
  const lifetime = lifetimes.distribution;
  const streams = new RandomStreams(input.seed);
  const open = 1 - target;

  const residual = ResidualLife.of(lifetime);
  const residualAtTarget = residual.timeUntil(open);
  const fits = residualAtTarget <= window;

  let ttl: TtlAdvice | null = null;
  let chosen = residual;
  if (!fits) {
    const seconds = Math.max(1, Math.floor(longestTtl(residual, window, open)));
    chosen = residual.withTtl(seconds);
    ttl = {
      ttl: seconds,
      reachFraction: 1 - lifetime.cdf(seconds),
      reconnectsPerSecond: (N / residual.integrated.mean) * ttlClosesPerSession(residual, seconds),
    };
  }
  const timeout = Math.max(1, Math.min(window, wholeSecondsUp(chosen.timeUntil(open))));

  const horizon = 1.25 * Math.max(window, timeout);
  const timeouts = uniqueSorted([
    timeout,
    window,
    ...Array.from({ length: CURVE_STEPS }, (_, j) => Math.round((horizon * (j + 1)) / CURVE_STEPS)),
  ]);
  const drains = simulateDrains(chosen, N, timeouts, input.replicas, streams.stream('plan.drain'));
  const drainCurve = drains.atTimeouts.map((mc) => ({
    ...assess(chosen, N, mc.timeout, mc),
    expectedOpenWithoutTtl: N * residual.survival(mc.timeout),
  }));

  const peakFor = reconnectPeaks(N, input.replicas, input.seed);
  const notice = fits ? null : adviseNotice(input, window, peakFor);
  const jitterWindows = uniqueSorted([
    window,
    ...(notice ? [notice.retryAfter] : []),
    ...JITTER_LADDER.filter((w) => w < Math.max(window, notice?.retryAfter ?? 0)),
  ]);

  return {
    input: { ...input, lifetimes: lifetime.spec, measuredSessions: lifetimes.samples?.length ?? null },
    lifetime: {
      p50: lifetime.quantile(0.5),
      p99: lifetime.quantile(0.99),
      atTarget: lifetime.quantile(target),
      mean: lifetime.mean(),
    },
    residual: { p50: residual.quantile(0.5), p99: residual.quantile(0.99), atTarget: residualAtTarget },
    residualInterval:
      lifetimes.samples === null || input.resamples === 0 || lifetimes.samples.length < MIN_INTERVAL_SESSIONS
        ? null
        : {
            method: INTERVAL_METHOD,
            ...bootstrapDrainTime(lifetimes.samples, open, input.resamples, streams.stream('plan.bootstrap')),
            outliving: countAbove(lifetimes.samples, residualAtTarget),
          },
    fits,
    ttl,
    drain: drainCurve.find((p) => p.timeout === timeout)!,
    completionP50: drains.completionP50,
    completionP99: drains.completionP99,
    notice,
    curves: { drain: drainCurve, reconnect: jitterWindows.map(peakFor) },
  };
}

function assess(
  residual: ResidualLife,
  N: number,
  timeout: number,
  mc: { openP50: number; openP99: number; allEnded: ProportionEstimate },
): TimeoutAssessment {
  const stillOpen = residual.survival(timeout);
  return {
    timeout,
    expectedOpen: N * stillOpen,
    openP50: mc.openP50,
    openP99: mc.openP99,
    allEndedExact: Math.exp(N * Math.log1p(-stillOpen)),
    allEnded: mc.allEnded,
  };
}

/**
 * The drain-notice jitter window: the shortest whose p99 peak the pool absorbs when a capacity
 * is given (found by galloping then bisection; the peak falls as the window grows), else the
 * whole window, which gives the lowest peak that still ends the drain in time.
 */
function adviseNotice(input: DrainPlanInput, window: number, peak: (window: number) => ReconnectPeak): NoticeAdvice {
  const N = input.sessions;
  const capacity = input.reconnectCapacity;
  let retryAfter = Math.max(1, Math.floor(window));
  if (capacity !== null) {
    const absorbed = (w: number) => peak(w).p99 <= capacity;
    let lo = Math.max(1, Math.floor(N / capacity));
    if (absorbed(lo)) {
      retryAfter = lo;
    } else {
      let step = 1;
      let hi = lo + step;
      while (!absorbed(hi)) {
        lo = hi;
        step *= 2;
        hi = lo + step;
      }
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (absorbed(mid)) hi = mid;
        else lo = mid;
      }
      retryAfter = hi;
    }
  }
  return { retryAfter, peak: peak(retryAfter), fitsWindow: retryAfter <= window };
}

/**
 * The reconnect peak per jitter window, each from its own fresh stream and computed once: a
 * window's numbers are the same wherever the plan shows them, whichever windows were asked first.
 */
function reconnectPeaks(N: number, replicas: number, seed: number): (window: number) => ReconnectPeak {
  const known = new Map<number, ReconnectPeak>();
  return (window) => {
    let peak = known.get(window);
    if (peak === undefined) {
      peak = reconnectPeak(N, window, replicas, new RandomStreams(seed).stream(`plan.reconnect.${window}`));
      known.set(window, peak);
    }
    return peak;
  };
}

/** E[number of TTL closes in one session] = Σ_{k≥1} P(L > kT). */
export function ttlClosesPerSession(residual: ResidualLife, ttl: number): number {
  const G = residual.integrated;
  let sum = 0;
  for (let k = 1; k < 10_000_000; k++) {
    const s = G.survival(k * ttl);
    if (s < 1e-15) break;
    sum += s;
  }
  return sum;
}

/** Values of `sorted` (ascending) greater than `x`. */
function countAbove(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length - lo;
}

function wholeSecondsUp(seconds: number): number {
  return Math.ceil(seconds - 1e-9);
}

function uniqueSorted(values: number[]): number[] {
  return [...new Set(values.filter((v) => v > 0))].sort((a, b) => a - b);
}

function checkInput(input: DrainPlanInput): void {
  const problems: string[] = [];
  if (!(Number.isInteger(input.sessions) && input.sessions >= 1))
    problems.push(`sessions must be a whole number ≥ 1, got ${input.sessions}`);
  if (!(input.window >= 1)) problems.push(`the window must be at least 1s, got ${input.window}s`);
  if (!(input.target > 0 && input.target < 1))
    problems.push(`the target must be above 0% and below 100%, got ${input.target * 100}%`);
  if (input.reconnectCapacity !== null && !(input.reconnectCapacity > 0))
    problems.push(`the reconnect capacity must be above 0 per second, got ${input.reconnectCapacity}`);
  if (!(Number.isInteger(input.replicas) && input.replicas >= 10))
    problems.push(`replicas must be a whole number ≥ 10, got ${input.replicas}`);
  if (!(Number.isInteger(input.resamples) && input.resamples >= 0))
    problems.push(`resamples must be a whole number ≥ 0, got ${input.resamples}`);
  if (problems.length > 0) throw new PlanError(problems.join('; '));
}
