import type { Rng } from '../../engine/random.js';
import { Arguments, formatQuantity } from './arguments.js';
import { DistributionError } from './errors.js';
import { normalCdf, normalQuantile, SMALLEST_U, Z_99 } from './normal-math.js';
import { checkProbability, type Distribution, type Family } from './types.js';

/**
 * ln X ~ N(mu, sigma²). Written the way operators know a long-tailed duration:
 * `lognormal(median=30m, p99=6h)`, or with `sigma=` and a median or a mean.
 */
export class Lognormal implements Distribution {
  constructor(
    readonly spec: string,
    readonly mu: number,
    readonly sigma: number,
  ) {}

  sample(rng: Rng): number {
    const u = rng.next();
    return Math.exp(this.mu + this.sigma * normalQuantile(u > 0 ? u : SMALLEST_U));
  }

  mean(): number {
    return Math.exp(this.mu + (this.sigma * this.sigma) / 2);
  }

  quantile(p: number): number {
    checkProbability(p);
    return Math.exp(this.mu + this.sigma * normalQuantile(p));
  }

  cdf(x: number): number {
    return x <= 0 ? 0 : normalCdf((Math.log(x) - this.mu) / this.sigma);
  }
}

const USAGE = 'lognormal(median=30m, p99=6h), lognormal(median=30m, sigma=1.2) or lognormal(mean=45m, sigma=1.2)';

export const lognormalFamily: Family = {
  name: 'lognormal',
  usage: USAGE,
  build(args, context) {
    const a = Arguments.read(
      args,
      { family: 'lognormal', usage: USAGE, names: ['median', 'p99', 'mean', 'sigma'] },
      context,
    );
    const given = a.requireOneOf([
      ['median', 'p99'],
      ['median', 'sigma'],
      ['mean', 'sigma'],
    ]);
    const q = (x: number) => formatQuantity(x, context.unit);
    if (given.includes('p99')) {
      const median = a.quantity('median', { positive: true });
      const p99 = a.quantity('p99', { positive: true });
      if (!(p99 > median)) {
        throw new DistributionError(
          `lognormal: p99 (${a.text('p99')}) must be greater than the median (${a.text('median')})`,
          'p99 > median',
          `median=${a.text('median')}, p99=${a.text('p99')}`,
        );
      }
      // The p99 sits Z_99 standard deviations above the median on the log scale.
      const sigma = (Math.log(p99) - Math.log(median)) / Z_99;
      return new Lognormal(`lognormal(median=${q(median)}, p99=${q(p99)})`, Math.log(median), sigma);
    }
    const sigma = a.shape('sigma');
    if (given.includes('median')) {
      const median = a.quantity('median', { positive: true });
      return new Lognormal(`lognormal(median=${q(median)}, sigma=${sigma})`, Math.log(median), sigma);
    }
    const mean = a.quantity('mean', { positive: true });
    return new Lognormal(`lognormal(mean=${q(mean)}, sigma=${sigma})`, Math.log(mean) - (sigma * sigma) / 2, sigma);
  },
};
