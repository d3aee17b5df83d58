/**
 * How long the connections open at drain start still have to live: the residual life, which a
 * drain actually waits for.
 *
 * Sessions open at a given instant are not a fair sample of sessions: a long session is open
 * at more instants, so it is more likely to be caught (the inspection paradox). With sessions
 * arriving at a steady rate, the remaining life R of the ones open at drain start has density
 * P(L > x) / E[L] (renewal theory), so P(R > t) = (E[L] − G(t)) / E[L] with G the integrated
 * survival. For exponential lifetimes this is e^(−t/m) again (memorylessness); for long-tailed
 * ones it is far longer than the lifetime's own quantiles suggest.
 *
 * With a server-side session TTL T, the app closes a connection when it reaches age T and the
 * client reconnects to continue its session, so a session of length l is a chain of
 * connections of length T and a remainder. A connection open at drain start then ends at the
 * next multiple of T in its session or at the session's end, whichever comes first:
 *
 *   P(R_T > x) = (1/E[L]) · Σ_{k≥0} ∫_{kT+x}^{(k+1)T} P(L > u) du      for 0 ≤ x < T, and 0 past T.
 */
import type { Rng } from '../engine/random.js';
import type { Distribution } from '../scenario/distribution.js';
import { bracketRoot } from './bracket-root.js';
import { IntegratedSurvival } from './integrated-survival.js';
import { InverseTable } from './inverse-table.js';

/**
 * Periods whose remaining mass is below this fraction of E[L] are folded in as one term: plans
 * read survivals of 1e-3 to 1e-6, so this keeps six digits where they matter.
 */
const TAIL_TOLERANCE = 1e-9;
/** Most TTL periods summed one by one; past them the tail term below is accurate (survival is flat over a period). */
const MAX_PERIODS = 100_000;

export class ResidualLife {
  /** G(kT) for k = 0..K, the period boundaries that every survival(x) with a TTL sums over. */
  private readonly boundaries: Float64Array | null;
  /** Periods survival(x) sums one by one; past them the flat-period tail term is accurate (exactPeriods). */
  private readonly summedPeriods: number;
  /** Quantiles of the session residual, built on the first draw. */
  private sessionResidual: InverseTable | null = null;

  /** `ttl` Infinity (the default) means no TTL. */
  constructor(
    readonly integrated: IntegratedSurvival,
    readonly ttl: number = Infinity,
  ) {
    if (!(ttl > 0)) throw new RangeError(`session TTL must be greater than 0, got ${ttl}`);
    this.boundaries = Number.isFinite(ttl) ? periodBoundaries(integrated, ttl) : null;
    this.summedPeriods = this.boundaries === null ? 0 : exactPeriods(integrated, ttl, this.boundaries.length - 1);
  }

  static of(lifetime: Distribution, ttl = Infinity): ResidualLife {
    return new ResidualLife(new IntegratedSurvival(lifetime), ttl);
  }

  /** A TTL variant sharing this one's integration table. */
  withTtl(ttl: number): ResidualLife {
    return new ResidualLife(this.integrated, ttl);
  }

  /** Expected fraction of the connections open at drain start that are still open x later. */
  survival(x: number): number {
    if (!(x > 0)) return 1;
    const G = this.integrated;
    const mean = G.mean;
    const bounds = this.boundaries;
    if (bounds === null) return clamp01((mean - G.at(x)) / mean);
    const T = this.ttl;
    if (x >= T) return 0;
    let sum = 0;
    const periods = this.summedPeriods;
    for (let k = 0; k < periods; k++) sum += bounds[k + 1]! - G.at(k * T + x);
    // The far tail: survival is flat over one period there, so the fraction (T − x)/T of its
    // remaining mass is past the cut-off x. This also carries the mass beyond the table.
    sum += ((mean - bounds[periods]!) * (T - x)) / T;
    return clamp01(sum / mean);
  }

  /** The shortest drain after which at most `fractionOpen` of the connections are expected open. */
  timeUntil(fractionOpen: number): number {
    if (fractionOpen >= 1) return 0;
    let lo = 0;
    let hi = Number.isFinite(this.ttl) ? this.ttl : this.integrated.mean;
    for (let k = 0; this.survival(hi) > fractionOpen; k++) {
      if (k > 1100) return Infinity;
      lo = hi;
      hi *= 2;
    }
    // To a microsecond or nine digits: far finer than the whole seconds a plan recommends.
    return bracketRoot((x) => this.survival(x) - fractionOpen, lo, hi, Math.max(1e-6, 1e-9 * hi)).hi;
  }

  /** P(R ≤ p-quantile) = p. */
  quantile(p: number): number {
    return this.timeUntil(1 - p);
  }

  /**
   * One connection's remaining life, drawn exactly: the session's residual r by inverting G,
   * then (with a TTL) the session's age a given r — a length-biased session seen at a uniform
   * point has joint density f(a + r)/E[L], so P(A > a | r) = P(L > a + r)/P(L > r) — and the
   * connection ends at min(r, T − a mod T).
   */
  sample(rng: Rng): number {
    const G = this.integrated;
    this.sessionResidual ??= new InverseTable((u) => G.inverse(u * G.mean));
    const r = this.sessionResidual.at(rng.next());
    if (this.boundaries === null) return r;
    const age = this.sessionAge(r, rng.next());
    return Math.min(r, this.ttl - (age % this.ttl));
  }

  /**
   * One session of a steady population seen at a uniform instant: its age and its remaining life,
   * drawn jointly (density f(age + residual)/E[L]), without the TTL. The mean age is
   * E[L²]/(2E[L]); a steady-state start gives the sessions open at t = 0 these ages.
   */
  sampleSession(rng: Rng): { age: number; residual: number } {
    const G = this.integrated;
    this.sessionResidual ??= new InverseTable((u) => G.inverse(u * G.mean));
    const residual = this.sessionResidual.at(rng.next());
    const age = this.sessionAge(residual, rng.next());
    // Past what the CDF resolves (and no TTL period to spread over): age unknown, take none.
    return { age: Number.isFinite(age) ? age : 0, residual };
  }

  private sessionAge(residual: number, v: number): number {
    const lifetime = this.integrated.lifetime;
    const below = Number.isFinite(residual) ? lifetime.cdf(residual) : 1;
    // Beyond what the CDF resolves, the phase within a period is uniform.
    if (!(below < 1)) return v * this.ttl;
    const age = lifetime.quantile(below + v * (1 - below)) - residual;
    return Math.max(age, 0);
  }
}

function periodBoundaries(G: IntegratedSurvival, T: number): Float64Array {
  const values = [0];
  const cutoff = G.mean * TAIL_TOLERANCE;
  for (let k = 1; k <= MAX_PERIODS; k++) {
    const g = G.at(k * T);
    values.push(g);
    if (G.mean - g < cutoff || k * T >= G.end) break;
  }
  return Float64Array.from(values);
}

/**
 * How many periods survival(x) must sum one by one. Period k contributes ∫ s over [kT + x, (k+1)T]
 * (s = P(L > ·), decreasing); the tail term takes (T − x)/T of the period's whole mass instead,
 * an error below T·(s(kT) − s((k+1)T)). Over the periods from K on the errors telescope to at most
 * T·s(KT), so summing until T·s(KT) < TAIL_TOLERANCE·E[L] keeps the plans' six digits, and with a
 * short TTL over a long-tailed lifetime (5 min against lognormal p99 8 h) it sums thousands of
 * periods instead of the ~10^5 the boundary table holds: ~1 ms a call instead of ~100 ms.
 */
function exactPeriods(G: IntegratedSurvival, T: number, periods: number): number {
  const bound = (TAIL_TOLERANCE * G.mean) / T;
  let lo = 0;
  let hi = periods;
  // s(kT) decreases in k: the first k with s(kT) < bound, by bisection.
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (G.survival(mid * T) < bound) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function clamp01(v: number): number {
  return v < 0 ? 0 : Math.min(v, 1);
}
