import type { Rng } from '../../engine/random.js';
import { Arguments, formatQuantity } from './arguments.js';
import { normalCdf, normalPdf, normalQuantile, SMALLEST_U } from './normal-math.js';
import { checkProbability, type Distribution, type Family } from './types.js';

/**
 * A normal distribution truncated at 0 (durations cannot be negative): `normal(mean=30s, sd=5s)`.
 * `mean` and `sd` are those of the normal before truncation; mean(), quantile() and cdf() are
 * those of the truncated distribution that sample() draws from.
 *
 * Sampling inverts the truncated CDF, X = μ + σ·Φ⁻¹(Φ(α) + u·(1 − Φ(α))) with α = −μ/σ: one
 * draw per sample and no rejection loop, however much of the normal lies below 0.
 */
export class TruncatedNormal implements Distribution {
  /** Φ(α): the mass of the untruncated normal below 0. */
  private readonly cut: number;
  /** 1 − Φ(α) = Φ(μ/σ), computed directly so it keeps its digits when it is small. */
  private readonly kept: number;

  constructor(
    readonly spec: string,
    readonly mu: number,
    readonly sd: number,
  ) {
    this.cut = normalCdf(-mu / sd);
    this.kept = normalCdf(mu / sd);
  }

  sample(rng: Rng): number {
    const u = rng.next();
    const x = this.mu + this.sd * normalQuantile(this.cut + (u > 0 ? u : SMALLEST_U) * this.kept);
    // Rounding can leave the lowest draws a hair below 0.
    return Math.max(x, 0);
  }

  mean(): number {
    return this.mu + (this.sd * normalPdf(this.mu / this.sd)) / this.kept;
  }

  quantile(p: number): number {
    checkProbability(p);
    if (p === 1) return Infinity;
    const x = this.mu + this.sd * normalQuantile(this.cut + p * this.kept);
    return Math.max(x, 0);
  }

  cdf(x: number): number {
    if (x <= 0) return 0;
    // Work with whichever tail is small, so neither side loses digits to 1 − (1 − ε).
    if (x > this.mu) return 1 - normalCdf((this.mu - x) / this.sd) / this.kept;
    return (normalCdf((x - this.mu) / this.sd) - this.cut) / this.kept;
  }
}

const USAGE = 'normal(mean=30s, sd=5s)';

export const normalFamily: Family = {
  name: 'normal',
  aliases: ['gaussian'],
  usage: USAGE,
  build(args, context) {
    const a = Arguments.read(
      args,
      { family: 'normal', usage: USAGE, names: ['mean', 'sd'], aliases: { stddev: 'sd', sigma: 'sd', std: 'sd' } },
      context,
    );
    a.requireOneOf([['mean', 'sd']]);
    const mean = a.quantity('mean');
    const sd = a.quantity('sd', { positive: true });
    return new TruncatedNormal(
      `normal(mean=${formatQuantity(mean, context.unit)}, sd=${formatQuantity(sd, context.unit)})`,
      mean,
      sd,
    );
  },
};
