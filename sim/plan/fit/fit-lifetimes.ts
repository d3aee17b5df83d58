/**
 * `drainsim fit` as a pure function: fitted lognormal, exponential and Pareto lifetimes for a set
 * of observed (possibly censored) session durations, each with its KS distance and quantiles next
 * to the empirical ones, the best by AIC, and its scenario spelling.
 */
import { formatDuration } from '../../scenario/units.js';
import { ksCritical, ksDistance, ksPValue } from './goodness.js';
import { kaplanMeier, type SurvivalCurve, survivalQuantile } from './kaplan-meier.js';
import { type FittedFamily, fitExponential, fitLognormal, fitPareto } from './mle.js';
import type { Observation } from './observations.js';

export const FIT_QUANTILES = [0.5, 0.9, 0.99, 0.999] as const;

export interface FamilyReport {
  fitted: FittedFamily;
  /** The value to paste into a scenario, e.g. `lognormal(median=40m, p99=8h)`. */
  spec: string;
  ks: number;
  pValue: number;
  quantiles: number[];
}

export interface FitResult {
  sessions: number;
  censored: number;
  /** Families ordered best first (lowest AIC). */
  families: FamilyReport[];
  best: FamilyReport;
  /** Empirical (Kaplan–Meier) quantiles at FIT_QUANTILES; undefined where censoring hides them. */
  empirical: (number | undefined)[];
  /** KS distance above which a fit is rejected at 5 %. */
  critical: number;
  /** Whether the best family passes the KS test. */
  goodFit: boolean;
  curve: SurvivalCurve;
}

export class FitError extends Error {
  override readonly name = 'FitError';
}

/** Minimum ended sessions for a fit: two parameters need more than a handful. */
export const MIN_FIT_EVENTS = 10;

export function fitLifetimes(observations: readonly Observation[]): FitResult {
  const censored = observations.filter((o) => o.censored).length;
  const events = observations.length - censored;
  if (events < MIN_FIT_EVENTS) {
    throw new FitError(
      `only ${events} ended session${events === 1 ? '' : 's'} (${censored} still open): a fit needs at least ${MIN_FIT_EVENTS}`,
    );
  }
  const curve = kaplanMeier(observations);
  const families = [fitLognormal(observations), fitExponential(observations), fitPareto(observations)]
    .filter((f) => Number.isFinite(f.logLikelihood))
    .map((fitted) => {
      const ks = ksDistance(curve, fitted.cdf);
      return {
        fitted,
        spec: specOf(fitted),
        ks,
        pValue: ksPValue(ks, events),
        quantiles: FIT_QUANTILES.map((p) => fitted.quantile(p)),
      };
    })
    .sort((a, b) => a.fitted.aic - b.fitted.aic);
  if (families.length === 0) throw new FitError('no family could be fitted (all durations equal?)');
  const critical = ksCritical(events);
  return {
    sessions: observations.length,
    censored,
    families,
    best: families[0]!,
    empirical: FIT_QUANTILES.map((p) => survivalQuantile(curve, p)),
    critical,
    goodFit: families[0]!.ks <= critical,
    curve,
  };
}

/** Durations are written to the millisecond at most, or to 4 significant digits when longer. */
function d(seconds: number): string {
  if (seconds >= 1) {
    const digits = Math.max(0, 3 - Math.floor(Math.log10(seconds)));
    return formatDuration(Number(seconds.toFixed(Math.min(3, digits))));
  }
  return formatDuration(seconds);
}

function specOf(f: FittedFamily): string {
  const p = f.params;
  switch (f.family) {
    case 'lognormal':
      return `lognormal(median=${d(f.quantile(0.5))}, p99=${d(f.quantile(0.99))})`;
    case 'exponential':
      return `exp(mean=${d(p.mean!)})`;
    case 'pareto':
      return `pareto(scale=${d(p.scale!)}, shape=${Number(p.shape!.toPrecision(4))})`;
  }
}

/**
 * Quantiles of the Kaplan–Meier curve at `points` evenly spaced probabilities, for an empirical CSV.
 *
 * When the longest sessions are still open, the curve stops at S > 0 and the quantiles above
 * 1 − S are unknown. `empirical(file.csv)` takes the values it is given as the whole distribution,
 * so writing only the resolved ones would cut every session at the censoring time: with 15 % of
 * the sessions logged open at 2 h, a drain plan would never wait past 2 h. That is refused (a
 * FitError naming how much is hidden) instead of written; the censored MLE fit is the answer then.
 */
export function empiricalValues(result: FitResult, observations: readonly Observation[], points = 1000): number[] {
  if (result.censored === 0) return observations.map((o) => o.seconds).sort((a, b) => a - b);
  const values: number[] = [];
  for (let i = 0; i < points; i++) {
    const v = survivalQuantile(result.curve, (i + 0.5) / points);
    if (v !== undefined) values.push(v);
  }
  if (values.length < points) {
    const s = result.curve.survival;
    const hidden = s.length === 0 ? 1 : s[s.length - 1]!;
    const longest = result.curve.times.length === 0 ? 0 : result.curve.times[result.curve.times.length - 1]!;
    throw new FitError(
      `no empirical CSV: ${(100 * hidden).toPrecision(3)} % of the sessions outlive the longest ended one ` +
        `(${formatDuration(longest)}) and only their censoring times are known, so the values would stop there ` +
        `and empirical() would treat them as the whole distribution (a drain plan from them would never wait ` +
        `longer); use the fitted family, which the censored MLE extends past the log`,
    );
  }
  return values;
}
