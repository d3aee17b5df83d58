/**
 * The standard normal density, CDF and inverse CDF, accurate to a few 1e-15 relative in both tails
 * (checked against values from mpmath in the tests). Written here rather than pulled from a dependency because the
 * lognormal and truncated normal families need all three, in both tails.
 */

/** z such that Φ(z) = 0.99: the p99 of a standard normal. */
export const Z_99 = 2.3263478740408408;

const SQRT_2PI = 2.5066282746310002;

/**
 * Stands in for a uniform draw of exactly 0 (Alea returns it once in 2^32 draws) where Φ⁻¹(0)
 * would give −∞: half of Alea's resolution, so the draw stays below every other possible one.
 */
export const SMALLEST_U = 2 ** -33;

/** Standard normal density φ(x). */
export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / SQRT_2PI;
}

/**
 * Standard normal CDF Φ(x) with full relative accuracy in the lower tail, which the truncated
 * normal needs: it works with Φ(μ/σ) rather than 1 − Φ(−μ/σ). Near the centre, Hart's
 * algorithm 5666 (as given by G. West, "Better approximations to cumulative normal functions",
 * 2005); in the tail, where Hart's rational loses digits, Laplace's continued fraction for the
 * Mills ratio, which converges fast there.
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  let tail: number;
  if (a < 2.5) {
    let n = 3.52624965998911e-2 * a + 0.700383064443688;
    n = n * a + 6.37396220353165;
    n = n * a + 33.912866078383;
    n = n * a + 112.079291497871;
    n = n * a + 221.213596169931;
    n = n * a + 220.206867912376;
    let d = 8.83883476483184e-2 * a + 1.75566716318264;
    d = d * a + 16.064177579207;
    d = d * a + 86.7807322029461;
    d = d * a + 296.564248779674;
    d = d * a + 637.333633378831;
    d = d * a + 793.826512519948;
    d = d * a + 440.413735824752;
    tail = (gaussianFactor(a) * n) / d;
  } else if (a < 40) {
    let t = a;
    for (let k = 60; k > 0; k--) t = a + k / t;
    tail = gaussianFactor(a) / t / SQRT_2PI;
  } else {
    tail = 0;
  }
  return x > 0 ? 1 - tail : tail;
}

/**
 * exp(−a²/2) without the a²·ε relative error of squaring first: split a = s + (a − s) with s on
 * a 1/16 grid so s² is exact (the trick R's pnorm takes from Cody).
 */
function gaussianFactor(a: number): number {
  const s = Math.floor(a * 16) / 16;
  return Math.exp(-0.5 * s * s) * Math.exp(-0.5 * (a - s) * (a + s));
}

/**
 * Inverse standard normal CDF Φ⁻¹(p): Wichura's algorithm AS 241 (PPND16), relative accuracy
 * about 1e-16. Returns −∞ at 0 and +∞ at 1.
 *
 * Split in three so that the dispatch and the central region (85 % of uniform draws) are small
 * enough for V8 to inline into a sampler: a double returned from a call that is not inlined is
 * boxed in a new heap number, one allocation per sample on the hot path (issue 14). The
 * arithmetic is unchanged, operation for operation.
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  const q = p - 0.5;
  return Math.abs(q) <= 0.425 ? centralQuantile(q) : tailQuantile(p, q);
}

/** AS 241 for |p − 0.5| ≤ 0.425, with q = p − 0.5. */
function centralQuantile(q: number): number {
  const r = 0.180625 - q * q;
  return (
    (q *
      (((((((2509.0809287301226727 * r + 33430.575583588128105) * r + 67265.770927008700853) * r +
        45921.953931549871457) *
        r +
        13731.693765509461125) *
        r +
        1971.5909503065514427) *
        r +
        133.14166789178437745) *
        r +
        3.387132872796366608)) /
    (((((((5226.495278852545561 * r + 28729.085735721942674) * r + 39307.89580009271061) * r + 21213.794301586595867) *
      r +
      5394.1960214247511077) *
      r +
      687.1870074920579083) *
      r +
      42.313330701600911252) *
      r +
      1)
  );
}

/** AS 241 in the tails, |q| > 0.425. */
function tailQuantile(p: number, q: number): number {
  let r = q < 0 ? p : 1 - p;
  if (r === 0) return q < 0 ? -Infinity : Infinity;
  r = Math.sqrt(-Math.log(r));
  let z: number;
  if (r <= 5) {
    r -= 1.6;
    z =
      (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r + 0.24178072517745061177) * r +
        1.27045825245236838258) *
        r +
        3.64784832476320460504) *
        r +
        5.7694972214606914055) *
        r +
        4.6303378461565452959) *
        r +
        1.42343711074968357734) /
      (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r +
        0.14810397642748007459) *
        r +
        0.68976733498510000455) *
        r +
        1.6763848301838038494) *
        r +
        2.05319162663775882187) *
        r +
        1);
  } else {
    r -= 5;
    z =
      (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r +
        0.026532189526576123093) *
        r +
        0.29656057182850489123) *
        r +
        1.7848265399172913358) *
        r +
        5.4637849111641143699) *
        r +
        6.6579046435011037772) /
      (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r +
        7.868691311456132591e-4) *
        r +
        0.0148753612908506148525) *
        r +
        0.13692988092273580531) *
        r +
        0.59983220655588793769) *
        r +
        1);
  }
  return q < 0 ? -z : z;
}
