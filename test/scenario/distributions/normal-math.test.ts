import { describe, expect, it } from 'vitest';
import { normalCdf, normalQuantile, Z_99 } from '../../../sim/scenario/distributions/normal-math.js';

/** Reference values computed with mpmath at 50 digits (mp.ncdf and findroot on it). */
const CDF: readonly [number, number][] = [
  [-37, 5.725571222524577e-300],
  [-20, 2.7536241186062337e-89],
  [-10, 7.619853024160525e-24],
  [-7, 1.279812543885835e-12],
  [-5, 2.866515718791939e-7],
  [-3, 0.0013498980316300946],
  [-2, 0.02275013194817921],
  [-1, 0.15865525393145705],
  [-0.1, 0.460172162722971],
  [0, 0.5],
  [1, 0.8413447460685429],
  [3, 0.9986501019683699],
];

const QUANTILE: readonly [number, number][] = [
  [1e-300, -37.0470962993612],
  [1e-20, -9.262340089798405],
  [1e-10, -6.361340902404056],
  [0.001, -3.090232306167813],
  [0.1, -1.2815515655446008],
  [0.3, -0.5244005127080407],
  [0.5, 0],
  [0.9, 1.2815515655446008],
  [0.999, 3.090232306167813],
];

describe('normal math', () => {
  it('Φ has full relative accuracy in both tails', () => {
    for (const [x, p] of CDF) expect(Math.abs(normalCdf(x) - p)).toBeLessThanOrEqual(2e-14 * p);
    expect(normalCdf(-40)).toBeLessThan(1e-300);
    expect(normalCdf(40)).toBe(1);
  });

  it('Φ⁻¹ matches to about 1e-15 and inverts Φ', () => {
    for (const [p, z] of QUANTILE) expect(Math.abs(normalQuantile(p) - z)).toBeLessThanOrEqual(2e-15 * Math.abs(z));
    expect(normalQuantile(0.99)).toBeCloseTo(Z_99, 14);
    for (const x of [-8, -3.5, -1, 0.2, 2.5]) expect(normalQuantile(normalCdf(x))).toBeCloseTo(x, 12);
    expect([normalQuantile(0), normalQuantile(1)]).toEqual([-Infinity, Infinity]);
    expect(normalQuantile(1.1)).toBeNaN();
  });
});
