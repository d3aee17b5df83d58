import type { Rng } from '../../engine/random.js';
import { Arguments, formatQuantity } from './arguments.js';
import { checkProbability, type Distribution, type Family } from './types.js';

/**
 * Pareto (type I) with minimum `scale` and tail index `shape`: `pareto(scale=1s, shape=1.5)`.
 * The mean is infinite when shape ≤ 1 and the variance when shape ≤ 2, which is the point of
 * using it for heavy-tailed session lengths.
 */
export class Pareto implements Distribution {
  private readonly negInvShape: number;

  constructor(
    readonly spec: string,
    readonly scale: number,
    readonly shape: number,
  ) {
    this.negInvShape = -1 / shape;
  }

  sample(rng: Rng): number {
    return this.scale * (1 - rng.next()) ** this.negInvShape;
  }

  mean(): number {
    return this.shape <= 1 ? Infinity : (this.shape * this.scale) / (this.shape - 1);
  }

  quantile(p: number): number {
    checkProbability(p);
    return this.scale * (1 - p) ** this.negInvShape;
  }

  cdf(x: number): number {
    return x <= this.scale ? 0 : 1 - (this.scale / x) ** this.shape;
  }
}

const USAGE = 'pareto(scale=1s, shape=1.5)';

export const paretoFamily: Family = {
  name: 'pareto',
  usage: USAGE,
  build(args, context) {
    const a = Arguments.read(
      args,
      { family: 'pareto', usage: USAGE, names: ['scale', 'shape'], aliases: { xm: 'scale', alpha: 'shape' } },
      context,
    );
    a.requireOneOf([['scale', 'shape']]);
    const scale = a.quantity('scale', { positive: true });
    const shape = a.shape('shape');
    return new Pareto(`pareto(scale=${formatQuantity(scale, context.unit)}, shape=${shape})`, scale, shape);
  },
};
