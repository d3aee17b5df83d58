import type { Rng } from '../../engine/random.js';
import { Arguments, formatQuantity } from './arguments.js';
import { DistributionError } from './errors.js';
import { checkProbability, type Distribution, type Family } from './types.js';

/** Uniform on [min, max]: `uniform(1s, 3s)`. */
export class Uniform implements Distribution {
  private readonly width: number;

  constructor(
    readonly spec: string,
    readonly min: number,
    readonly max: number,
  ) {
    this.width = max - min;
  }

  sample(rng: Rng): number {
    return this.min + rng.next() * this.width;
  }

  mean(): number {
    return this.min + this.width / 2;
  }

  quantile(p: number): number {
    checkProbability(p);
    return this.min + p * this.width;
  }

  cdf(x: number): number {
    if (x < this.min) return 0;
    if (x >= this.max) return 1;
    return (x - this.min) / this.width;
  }
}

const USAGE = 'uniform(1s, 3s) or uniform(min=1s, max=3s)';

export const uniformFamily: Family = {
  name: 'uniform',
  usage: USAGE,
  build(args, context) {
    const a = Arguments.read(args, { family: 'uniform', usage: USAGE, names: ['min', 'max'], positional: 2 }, context);
    a.requireOneOf([['min', 'max']]);
    const min = a.quantity('min');
    const max = a.quantity('max');
    if (max < min) {
      throw new DistributionError(
        `uniform: max (${a.text('max')}) is below min (${a.text('min')})`,
        'min ≤ max',
        `min=${a.text('min')}, max=${a.text('max')}`,
      );
    }
    return new Uniform(`uniform(${formatQuantity(min, context.unit)}, ${formatQuantity(max, context.unit)})`, min, max);
  },
};
