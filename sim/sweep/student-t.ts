/**
 * Quantiles of Student's t distribution, for confidence intervals of a mean over a few seeds.
 * Exact for integer degrees of freedom up to 1000 (Abramowitz & Stegun 26.7.3–4 give
 * P(|T| ≤ t) as a finite trigonometric sum, inverted here by bisection on the angle); beyond,
 * the Cornish–Fisher expansion (A&S 26.7.5), accurate to better than 1e-9 there.
 */
import { normalQuantile } from '../scenario/distributions/normal-math.js';

const EXACT_UP_TO = 1000;
const cache = new Map<string, number>();

/** The p-quantile of t with `df` degrees of freedom (a positive integer), p in (0, 1). */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`t quantile probability must be in (0, 1), got ${p}`);
  if (!(Number.isInteger(df) && df >= 1))
    throw new RangeError(`t degrees of freedom must be a positive integer, got ${df}`);
  if (p < 0.5) return -tQuantile(1 - p, df);
  if (p === 0.5) return 0;
  const key = `${p}:${df}`;
  let t = cache.get(key);
  if (t === undefined) {
    t = df > EXACT_UP_TO ? cornishFisher(p, df) : byBisection(2 * p - 1, df);
    cache.set(key, t);
  }
  return t;
}

/** P(|T| ≤ √ν·tan θ) for angle θ in [0, π/2). */
function centralProbability(theta: number, df: number): number {
  const s = Math.sin(theta);
  const c = Math.cos(theta);
  const c2 = c * c;
  if (df % 2 === 1) {
    if (df === 1) return (2 / Math.PI) * theta;
    let term = c;
    let sum = c;
    for (let k = 3; k <= df - 2; k += 2) {
      term *= ((k - 1) / k) * c2;
      sum += term;
    }
    return (2 / Math.PI) * (theta + s * sum);
  }
  let term = 1;
  let sum = 1;
  for (let k = 2; k <= df - 2; k += 2) {
    term *= ((k - 1) / k) * c2;
    sum += term;
  }
  return s * sum;
}

function byBisection(central: number, df: number): number {
  let lo = 0;
  let hi = Math.PI / 2;
  for (let i = 0; i < 200; i++) {
    const mid = lo + (hi - lo) / 2;
    if (mid <= lo || mid >= hi) break;
    if (centralProbability(mid, df) < central) lo = mid;
    else hi = mid;
  }
  return Math.sqrt(df) * Math.tan(lo + (hi - lo) / 2);
}

function cornishFisher(p: number, df: number): number {
  const z = normalQuantile(p);
  const z2 = z * z;
  const g1 = (z * (z2 + 1)) / 4;
  const g2 = (z * ((5 * z2 + 16) * z2 + 3)) / 96;
  const g3 = (z * (((3 * z2 + 19) * z2 + 17) * z2 - 15)) / 384;
  const g4 = (z * ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945)) / 92160;
  return z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df;
}
