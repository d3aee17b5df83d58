import type { Rng } from '../../engine/random.js';
import { Arguments, formatQuantity } from './arguments.js';
import { checkProbability, type Distribution, type Family } from './types.js';

/** Exponential (memoryless): `exp(mean=2s)` or `exp(rate=0.5)` (per second, or per unit). */
export class Exponential implements Distribution {
  constructor(
    readonly spec: string,
    private readonly meanValue: number,
  ) {}

  sample(rng: Rng): number {
    // 1 − u is in (0, 1], so the logarithm is finite.
    return -this.meanValue * Math.log(1 - rng.next());
  }

  mean(): number {
    return this.meanValue;
  }

  quantile(p: number): number {
    checkProbability(p);
    return -this.meanValue * Math.log1p(-p);
  }

  cdf(x: number): number {
    return x <= 0 ? 0 : -Math.expm1(-x / this.meanValue);
  }
}

const USAGE = 'exp(mean=2s) or exp(rate=0.5)';

export const exponentialFamily: Family = {
  name: 'exp',
  aliases: ['exponential'],
  usage: USAGE,
  build(args, context) {
    const a = Arguments.read(args, { family: 'exp', usage: USAGE, names: ['mean', 'rate'] }, context);
    const [given] = a.requireOneOf([['mean'], ['rate']]);
    if (given === 'rate') {
      const rate = a.shape('rate');
      return new Exponential(`exp(rate=${rate})`, 1 / rate);
    }
    const mean = a.quantity('mean', { positive: true });
    return new Exponential(`exp(mean=${formatQuantity(mean, context.unit)})`, mean);
  },
};
