import { describe, expect, it } from 'vitest';
import { tQuantile } from '../../sim/sweep/student-t.js';

// Reference values: scipy.stats.t.ppf (SciPy 1.17).
const REFERENCE: [df: number, q975: number, q995: number][] = [
  [1, 12.706204736174694, 63.656741162871526],
  [2, 4.302652729749462, 9.924843200918287],
  [3, 3.1824463052837078, 5.840909309733355],
  [4, 2.7764451051977934, 4.604094871349992],
  [5, 2.5705818356363146, 4.032142983555228],
  [9, 2.262157162798205, 3.249835541592126],
  [10, 2.228138851986274, 3.16927267261695],
  [19, 2.0930240544083087, 2.8609346064649794],
  [29, 2.045229642132703, 2.756385903670605],
  [30, 2.0422724563012378, 2.7499956535672254],
  [99, 1.9842169515864174, 2.626405457280827],
  [999, 1.9623414611334493, 2.5807596372676365],
  [1001, 1.9623367052808798, 2.5807497687505245],
  [5000, 1.9604385517065073, 2.5768129665562802],
];

describe('tQuantile', () => {
  it.each(REFERENCE)('matches SciPy for %i degrees of freedom', (df, q975, q995) => {
    expect(tQuantile(0.975, df)).toBeCloseTo(q975, 9);
    expect(tQuantile(0.995, df)).toBeCloseTo(q995, 8);
  });

  it('is symmetric about 0', () => {
    expect(tQuantile(0.025, 7)).toBeCloseTo(-tQuantile(0.975, 7), 12);
    expect(tQuantile(0.5, 7)).toBe(0);
  });

  it('rejects probabilities outside (0, 1) and non-integer degrees of freedom', () => {
    expect(() => tQuantile(1, 5)).toThrow(RangeError);
    expect(() => tQuantile(0.975, 0)).toThrow(/degrees of freedom/);
    expect(() => tQuantile(0.975, 2.5)).toThrow(/degrees of freedom/);
  });
});
