import type { Rng } from '../../engine/random.js';
import { DistributionError } from './errors.js';
import { checkProbability, type Distribution, type Family } from './types.js';

/**
 * A weighted mixture: `mix(0.8 exp(mean=2s), 0.2 const(30s))`. Each sample takes one draw to
 * pick a component and then samples that component.
 */
export class Mixture implements Distribution {
  private readonly weights: Float64Array;
  /** cumulative[i] = weights[0] + … + weights[i]; the last one is never read (it is 1). */
  private readonly cumulative: Float64Array;

  /** `weights` are normalised here, so they need only sum to about 1. */
  constructor(
    readonly spec: string,
    readonly components: readonly Distribution[],
    weights: readonly number[],
  ) {
    const total = weights.reduce((a, b) => a + b, 0);
    this.weights = Float64Array.from(weights, (w) => w / total);
    this.cumulative = new Float64Array(weights.length);
    let sum = 0;
    this.weights.forEach((w, i) => (this.cumulative[i] = sum += w));
  }

  sample(rng: Rng): number {
    const u = rng.next();
    const last = this.components.length - 1;
    let i = 0;
    while (i < last && u >= this.cumulative[i]!) i++;
    return this.components[i]!.sample(rng);
  }

  mean(): number {
    let m = 0;
    for (let i = 0; i < this.components.length; i++) m += this.weights[i]! * this.components[i]!.mean();
    return m;
  }

  cdf(x: number): number {
    let c = 0;
    for (let i = 0; i < this.components.length; i++) c += this.weights[i]! * this.components[i]!.cdf(x);
    return c;
  }

  /**
   * By bisection on cdf. The answer lies between the components' own p-quantiles: at the
   * largest of them every component's CDF is at least p, below the smallest every one is less.
   */
  quantile(p: number): number {
    checkProbability(p);
    let lo = Infinity;
    let hi = -Infinity;
    for (const c of this.components) {
      const q = c.quantile(p);
      if (q < lo) lo = q;
      if (q > hi) hi = q;
    }
    if (p === 0) return lo;
    if (p === 1 || lo === hi) return hi;
    // 200 halvings take any finite bracket down to adjacent doubles.
    for (let k = 0; k < 200; k++) {
      const mid = lo + (hi - lo) / 2;
      if (mid <= lo || mid >= hi) break;
      if (this.cdf(mid) >= p) hi = mid;
      else lo = mid;
    }
    return hi;
  }
}

const USAGE = 'mix(0.8 exp(mean=2s), 0.2 const(30s)), weights summing to 1';
const WEIGHTED = /^((?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)(%?)\s+(\S[\s\S]*)$/;
const WEIGHT_TOLERANCE = 1e-9;

export const mixtureFamily: Family = {
  name: 'mix',
  aliases: ['mixture'],
  usage: USAGE,
  build(args, context) {
    if (args.length === 0) throw new DistributionError(`mix: no components; usage: ${USAGE}`, USAGE, 'mix()');
    const weights: number[] = [];
    const weightTexts: string[] = [];
    const components = args.map((arg) => {
      const m = WEIGHTED.exec(arg);
      if (m === null) {
        throw new DistributionError(
          `mix: component '${arg}' needs a weight in front, e.g. '0.5 ${arg}'; usage: ${USAGE}`,
          'a weight followed by a distribution, e.g. 0.8 exp(mean=2s)',
          `'${arg}'`,
        );
      }
      const weight = m[2] === '%' ? Number(`${m[1]}e-2`) : Number(m[1]);
      if (!(weight > 0))
        throw new DistributionError(`mix: weight of '${m[3]}' must be greater than 0`, 'a weight > 0', m[1]!);
      weights.push(weight);
      weightTexts.push(`${m[1]}${m[2]}`);
      return context.parse(m[3]!);
    });
    const total = weights.reduce((a, b) => a + b, 0);
    if (Math.abs(total - 1) > WEIGHT_TOLERANCE) {
      throw new DistributionError(
        `mix: weights ${weightTexts.join(' + ')} sum to ${total}, not 1`,
        'weights summing to 1',
        `a sum of ${total}`,
      );
    }
    const spec = `mix(${components.map((c, i) => `${weights[i]} ${c.spec}`).join(', ')})`;
    return new Mixture(spec, components, weights);
  },
};
