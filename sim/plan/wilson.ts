/** z₀.₉₇₅ of the standard normal. */
const Z = 1.959963984540054;

export interface ProportionEstimate {
  /** successes / trials */
  estimate: number;
  /** 95 % Wilson score interval: honest near 0 and 1, where Monte Carlo probabilities of "all sessions ended" often sit. */
  low: number;
  high: number;
}

export function wilsonInterval(successes: number, trials: number): ProportionEstimate {
  const p = successes / trials;
  const z2n = (Z * Z) / trials;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (Z * Math.sqrt((p * (1 - p)) / trials + z2n / (4 * trials))) / (1 + z2n);
  return { estimate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}
