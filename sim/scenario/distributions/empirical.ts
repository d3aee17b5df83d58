import type { Rng } from '../../engine/random.js';
import { Arguments } from './arguments.js';
import { readEmpiricalValues } from './empirical-csv.js';
import { checkProbability, type Distribution, type Family } from './types.js';

/**
 * The distribution of measured values, smoothed: the inverse CDF interpolates linearly between
 * consecutive sorted values, each gap holding probability 1/(n − 1). A single value is a
 * constant.
 */
export class Empirical implements Distribution {
  private readonly last: number;
  private readonly meanValue: number;

  /** `sorted` must be ascending and non-empty. */
  constructor(
    readonly spec: string,
    private readonly sorted: Float64Array,
  ) {
    this.last = sorted.length - 1;
    this.meanValue = interpolatedMean(sorted);
  }

  sample(rng: Rng): number {
    return this.at(rng.next() * this.last);
  }

  /**
   * The exact mean of what sample() draws. It is the plain sample mean with the two extreme
   * values counted half, because each sits at one end of a single gap.
   */
  mean(): number {
    return this.meanValue;
  }

  quantile(p: number): number {
    checkProbability(p);
    return this.at(p * this.last);
  }

  cdf(x: number): number {
    const s = this.sorted;
    if (x < s[0]!) return 0;
    if (x >= s[this.last]!) return 1;
    // The last index i with s[i] ≤ x; then s[i] < x's upper neighbour s[i + 1].
    let lo = 0;
    let hi = this.last;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (s[mid]! <= x) lo = mid;
      else hi = mid;
    }
    return (lo + (x - s[lo]!) / (s[lo + 1]! - s[lo]!)) / this.last;
  }

  /** The interpolated value at fractional index h in [0, n − 1]. */
  private at(h: number): number {
    const s = this.sorted;
    const i = Math.floor(h);
    if (i >= this.last) return s[this.last]!;
    const lo = s[i]!;
    return lo + (h - i) * (s[i + 1]! - lo);
  }
}

function interpolatedMean(sorted: Float64Array): number {
  const n = sorted.length;
  if (n === 1) return sorted[0]!;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  return (sum - (sorted[0]! + sorted[n - 1]!) / 2) / (n - 1);
}

const USAGE = 'empirical(file.csv), the path relative to the scenario file';

export const empiricalFamily: Family = {
  name: 'empirical',
  usage: USAGE,
  build(args, context) {
    const a = Arguments.read(args, { family: 'empirical', usage: USAGE, names: ['file'], positional: 1 }, context);
    a.requireOneOf([['file']]);
    const file = a.text('file').replace(/^(['"])(.*)\1$/, '$2');
    return new Empirical(`empirical(${file})`, readEmpiricalValues(file, context.baseDir, context.unit));
  },
};
