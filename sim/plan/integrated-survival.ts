/**
 * G(a) = ∫₀ᵃ P(L > x) dx = E[min(L, a)] for a session lifetime L: the quantity every drain
 * question reduces to. The residual life of the sessions open at drain start has survival
 * (E[L] − G(t)) / E[L], and a session TTL folds the same integral into periods.
 *
 * G is tabulated once at breakpoints placed at quantiles of L (uniform in probability, then
 * geometrically closer to 1 for the tail), so each interval holds at most 1/1024 of the
 * probability and 8-point Gauss–Legendre integrates it to far better than a plan needs. Any
 * value of G is then one table lookup plus one short integral.
 */
import type { Distribution } from '../scenario/distribution.js';
import { formatDuration } from '../scenario/units.js';
import { PlanError } from './errors.js';
import { integrate } from './gauss-legendre.js';

const UNIFORM_STEPS = 1024;
/** Tail breakpoints at 1 − 2^(−k/8) / UNIFORM_STEPS, down to this survival. */
const SMALLEST_TAIL = 1e-16;
/** Past the last quantile, double x until the CDF reads exactly 1 (at most this many times). */
const MAX_DOUBLINGS = 64;

export class IntegratedSurvival {
  /** E[L], exact (from the distribution), = G(∞). */
  readonly mean: number;
  /** Breakpoints, strictly increasing from 0. */
  private readonly x: Float64Array;
  /** G at each breakpoint. */
  private readonly g: Float64Array;
  private readonly survivalFn: (x: number) => number;

  constructor(readonly lifetime: Distribution) {
    this.mean = lifetime.mean();
    if (!Number.isFinite(this.mean)) {
      throw new PlanError(
        `lifetimes ${lifetime.spec} have an infinite mean: the sessions open at drain start never reach a steady ` +
          `state (the longer the service runs, the older they get), so no drain timeout can be computed. ` +
          `Cap the lifetime (a session TTL is such a cap) or give measured durations (a .csv).`,
      );
    }
    if (!(this.mean > 0))
      throw new PlanError(
        `lifetimes ${lifetime.spec} have mean ${formatDuration(this.mean)}: sessions must last some time`,
      );
    this.survivalFn = (x) => this.survival(x);
    this.x = breakpoints(lifetime);
    this.g = new Float64Array(this.x.length);
    for (let i = 1; i < this.x.length; i++)
      this.g[i] = this.g[i - 1]! + integrate(this.survivalFn, this.x[i - 1]!, this.x[i]!);
  }

  /** P(L > x). */
  survival(x: number): number {
    const s = 1 - this.lifetime.cdf(x);
    return Math.max(s, 0);
  }

  /** The last breakpoint: beyond it the survival is below what a double resolves. */
  get end(): number {
    return this.x[this.x.length - 1]!;
  }

  /** G at `end`; E[L] − this is the mass of the tail the table cannot see (tiny unless shape ≈ 1). */
  get total(): number {
    return this.g[this.g.length - 1]!;
  }

  /** G(a) = ∫₀ᵃ P(L > x) dx. */
  at(a: number): number {
    if (!(a > 0)) return 0;
    const x = this.x;
    if (a >= this.end) return this.total;
    const i = this.indexBelow(a, x);
    return this.g[i]! + integrate(this.survivalFn, x[i]!, a);
  }

  /**
   * The smallest a with G(a) = level, for level in [0, total); Infinity at or past total (the
   * unresolved tail). Newton steps from a linear guess, kept inside the bracketing interval.
   */
  inverse(level: number): number {
    if (!(level > 0)) return 0;
    if (level >= this.total) return Infinity;
    const i = this.indexBelow(level, this.g);
    const x0 = this.x[i]!;
    const x1 = this.x[i + 1]!;
    const g0 = this.g[i]!;
    const g1 = this.g[i + 1]!;
    let a = x0 + ((level - g0) / (g1 - g0)) * (x1 - x0);
    for (let step = 0; step < 4; step++) {
      const slope = this.survival(a);
      if (!(slope > 0)) break;
      const next = a - (g0 + integrate(this.survivalFn, x0, a) - level) / slope;
      const clamped = next < x0 ? x0 : Math.min(next, x1);
      const converged = Math.abs(clamped - a) <= 1e-12 * a;
      a = clamped;
      if (converged) break;
    }
    return a;
  }

  /** The last index i with values[i] ≤ v (values ascending, values[0] ≤ v < last). */
  private indexBelow(v: number, values: Float64Array): number {
    let lo = 0;
    let hi = values.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (values[mid]! <= v) lo = mid;
      else hi = mid;
    }
    return lo;
  }
}

function breakpoints(lifetime: Distribution): Float64Array {
  const points = [0];
  const push = (v: number): void => {
    if (Number.isFinite(v) && v > points[points.length - 1]!) points.push(v);
  };
  // The bottom of the support is where the survival starts to fall (a kink quadrature must not straddle).
  for (let i = 0; i < UNIFORM_STEPS; i++) push(lifetime.quantile(i / UNIFORM_STEPS));
  for (let k = 1; 2 ** (-k / 8) / UNIFORM_STEPS >= SMALLEST_TAIL; k++)
    push(lifetime.quantile(1 - 2 ** (-k / 8) / UNIFORM_STEPS));
  push(lifetime.quantile(1));
  let last = points[points.length - 1]!;
  for (let k = 0; k < MAX_DOUBLINGS && lifetime.cdf(last) < 1; k++) push((last *= 2));
  return Float64Array.from(points);
}
