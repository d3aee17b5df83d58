/**
 * Maximum-likelihood fits of session lifetimes with right-censoring: a session still open
 * contributes the survival probability S(c) instead of the density f(x) (Klein & Moeschberger,
 * "Survival Analysis", 3.5). Exponential and Pareto have closed forms; the lognormal uses EM on
 * the log scale (censored normal: the E-step replaces a censored log-duration by the moments of
 * the normal truncated below at it).
 */
import { normalCdf, normalPdf, normalQuantile as normalQuantileOf } from '../../scenario/distributions/normal-math.js';
import type { Observation } from './observations.js';

export type FamilyName = 'lognormal' | 'exponential' | 'pareto';

export interface FittedFamily {
  family: FamilyName;
  /** Parameters: lognormal {mu, sigma}; exponential {mean}; pareto {scale, shape}. */
  params: Record<string, number>;
  logLikelihood: number;
  /** Akaike information criterion: 2k − 2 ln L; lower is better. */
  aic: number;
  cdf(x: number): number;
  quantile(p: number): number;
}

function counts(obs: readonly Observation[]): { events: number; total: number } {
  let events = 0;
  let total = 0;
  for (const o of obs) {
    if (!o.censored) events++;
    total += o.seconds;
  }
  return { events, total };
}

/** Exponential: mean = total observed time / number of ended sessions. */
export function fitExponential(obs: readonly Observation[]): FittedFamily {
  const { events, total } = counts(obs);
  const mean = total / events;
  const logLikelihood = -events * Math.log(mean) - total / mean;
  return {
    family: 'exponential',
    params: { mean },
    logLikelihood,
    aic: 2 - 2 * logLikelihood,
    cdf: (x) => (x <= 0 ? 0 : -Math.expm1(-x / mean)),
    quantile: (p) => -mean * Math.log1p(-p),
  };
}

/** Pareto I: scale = the shortest duration, shape = ended sessions / Σ ln(x / scale). */
export function fitPareto(obs: readonly Observation[]): FittedFamily {
  const { events } = counts(obs);
  let scale = Infinity;
  for (const o of obs) scale = Math.min(scale, o.seconds);
  let sumLog = 0;
  for (const o of obs) sumLog += Math.log(o.seconds / scale);
  const shape = sumLog > 0 ? events / sumLog : Infinity;
  let logLikelihood = events * (Math.log(shape) + shape * Math.log(scale));
  for (const o of obs) if (!o.censored) logLikelihood -= (shape + 1) * Math.log(o.seconds);
  for (const o of obs) if (o.censored) logLikelihood += shape * Math.log(scale / o.seconds);
  return {
    family: 'pareto',
    params: { scale, shape },
    logLikelihood,
    aic: 4 - 2 * logLikelihood,
    cdf: (x) => (x <= scale ? 0 : 1 - (scale / x) ** shape),
    quantile: (p) => scale * (1 - p) ** (-1 / shape),
  };
}

const EM_MAX_ITERATIONS = 5000;
const EM_TOLERANCE = 1e-10;

/** Inverse Mills ratio φ(z)/(1 − Φ(z)), with its asymptote where 1 − Φ(z) underflows. */
function millsRatio(z: number): number {
  const tail = normalCdf(-z);
  return tail > 1e-300 ? normalPdf(z) / tail : z + 1 / z;
}

export function fitLognormal(obs: readonly Observation[]): FittedFamily {
  const n = obs.length;
  const logs = obs.map((o) => Math.log(o.seconds));
  // Start from the moments of the ended sessions' logs (exact MLE without censoring).
  let mu = 0;
  let m2 = 0;
  for (const y of logs) {
    mu += y;
    m2 += y * y;
  }
  mu /= n;
  let sigma = Math.sqrt(Math.max(m2 / n - mu * mu, 1e-12));
  if (obs.some((o) => o.censored)) {
    for (let it = 0; it < EM_MAX_ITERATIONS; it++) {
      let s1 = 0;
      let s2 = 0;
      for (let i = 0; i < n; i++) {
        const y = logs[i]!;
        if (!obs[i]!.censored) {
          s1 += y;
          s2 += y * y;
        } else {
          const lambda = millsRatio((y - mu) / sigma);
          s1 += mu + sigma * lambda;
          s2 += mu * mu + sigma * sigma + sigma * (y + mu) * lambda;
        }
      }
      const nextMu = s1 / n;
      const nextSigma = Math.sqrt(Math.max(s2 / n - nextMu * nextMu, 1e-12));
      const done = Math.abs(nextMu - mu) < EM_TOLERANCE && Math.abs(nextSigma - sigma) < EM_TOLERANCE;
      mu = nextMu;
      sigma = nextSigma;
      if (done) break;
    }
  }
  let logLikelihood = 0;
  for (let i = 0; i < n; i++) {
    const z = (logs[i]! - mu) / sigma;
    logLikelihood += obs[i]!.censored ? Math.log(normalCdf(-z)) : Math.log(normalPdf(z)) - Math.log(sigma) - logs[i]!;
  }
  return {
    family: 'lognormal',
    params: { mu, sigma },
    logLikelihood,
    aic: 4 - 2 * logLikelihood,
    cdf: (x) => (x <= 0 ? 0 : normalCdf((Math.log(x) - mu) / sigma)),
    quantile: (p) => Math.exp(mu + sigma * normalQuantileOf(p)),
  };
}
