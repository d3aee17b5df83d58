import type { Rng } from '../../engine/random.js';
import { Arguments, formatQuantity } from './arguments.js';
import { checkProbability, type Distribution, type Family } from './types.js';

/** Always the same value: `const(5s)`. */
export class Constant implements Distribution {
  constructor(
    readonly spec: string,
    readonly value: number,
  ) {}

  sample(_rng: Rng): number {
    return this.value;
  }

  mean(): number {
    return this.value;
  }

  quantile(p: number): number {
    checkProbability(p);
    return this.value;
  }

  cdf(x: number): number {
    return x < this.value ? 0 : 1;
  }
}

const USAGE = 'const(5s)';

export const constantFamily: Family = {
  name: 'const',
  aliases: ['constant'],
  usage: USAGE,
  build(args, context) {
    const a = Arguments.read(args, { family: 'const', usage: USAGE, names: ['value'], positional: 1 }, context);
    a.requireOneOf([['value']]);
    const value = a.quantity('value');
    return new Constant(`const(${formatQuantity(value, context.unit)})`, value);
  },
};
