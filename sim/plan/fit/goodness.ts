/**
 * Goodness of fit: the Kolmogorov–Smirnov distance between the fitted CDF and the Kaplan–Meier
 * estimate (the empirical CDF without censoring), over the range the log observed.
 *
 * The p-value uses Kolmogorov's limiting distribution (Numerical Recipes 14.3, probks with
 * Stephens' small-sample correction). With parameters estimated from the same data the true
 * p-value is smaller than for a fixed distribution (Lilliefors 1967), so flagging only at
 * D > 1.36/√n, the 5 % point for a fixed distribution, rejects too rarely rather than too often:
 * a "poor fit" is a real one.
 */
import type { SurvivalCurve } from './kaplan-meier.js';

export function ksDistance(curve: SurvivalCurve, cdf: (x: number) => number): number {
  let d = 0;
  let before = 0;
  for (let i = 0; i < curve.times.length; i++) {
    const f = cdf(curve.times[i]!);
    const after = 1 - curve.survival[i]!;
    d = Math.max(d, Math.abs(f - before), Math.abs(f - after));
    before = after;
  }
  return d;
}

/** P(D ≥ d) for n observations under the hypothesis that the data come from the distribution. */
export function ksPValue(d: number, n: number): number {
  const sqrtN = Math.sqrt(n);
  const lambda = (sqrtN + 0.12 + 0.11 / sqrtN) * d;
  if (lambda < 0.2) return 1;
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = (k % 2 === 1 ? 2 : -2) * Math.exp(-2 * k * k * lambda * lambda);
    sum += term;
    if (Math.abs(term) < 1e-12) break;
  }
  return Math.min(1, Math.max(0, sum));
}

/** The 5 % critical distance for n observations. */
export function ksCritical(n: number): number {
  return 1.358 / Math.sqrt(n);
}
