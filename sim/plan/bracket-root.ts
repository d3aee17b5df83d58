/**
 * Where a continuous function changes sign, by the Illinois variant of regula falsi: as safe as
 * bisection (the root stays bracketed) but superlinear on the smooth survival curves a plan
 * inverts, which matters because each evaluation sums over every TTL period.
 */
export interface Bracket {
  /** f(lo) has the sign f had at the starting lo; f(hi) the other (or 0). */
  lo: number;
  hi: number;
}

/**
 * Narrows [lo, hi], where f(lo) and f(hi) differ in sign, until it is at most `tolerance` wide.
 * A caller that already evaluated f at either end passes the value instead of paying for it again.
 */
export function bracketRoot(
  f: (x: number) => number,
  lo: number,
  hi: number,
  tolerance: number,
  fAtLo?: number,
  fAtHi?: number,
): Bracket {
  let flo = fAtLo ?? f(lo);
  let fhi = fAtHi ?? f(hi);
  const positiveAtLo = flo > 0;
  let retained = 0; // which end the last steps kept: −1 lo, +1 hi
  for (let step = 0; hi - lo > tolerance && step < 200; step++) {
    let x = (lo * fhi - hi * flo) / (fhi - flo);
    // Every fourth step (and whenever the secant misbehaves), bisect: a guaranteed halving.
    if (step % 4 === 3 || !(x > lo && x < hi)) x = lo + (hi - lo) / 2;
    if (x <= lo || x >= hi) break;
    const fx = f(x);
    if (fx > 0 === positiveAtLo) {
      lo = x;
      flo = fx;
      if (retained === 1) fhi /= 2;
      retained = 1;
    } else {
      hi = x;
      fhi = fx;
      if (retained === -1) flo /= 2;
      retained = -1;
    }
  }
  return { lo, hi };
}
