import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { downsampleMax, sparkline } from '../../../reports/terminal/sparkline.js';

describe('downsampleMax', () => {
  it('keeps a one-sample spike when shrinking', () => {
    const values = [0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0];
    expect(downsampleMax(values, 4)).toEqual([0, 9, 0, 0]);
  });

  it('does not stretch a series shorter than the width', () => {
    expect(downsampleMax([1, 2, 3], 10)).toEqual([1, 2, 3]);
  });

  it('returns exactly min(length, width) points whose max is the series max', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 500 }),
        fc.integer({ min: 1, max: 120 }),
        (values, width) => {
          const out = downsampleMax(values, width);
          expect(out.length).toBe(Math.min(values.length, width));
          expect(Math.max(...out)).toBe(Math.max(...values));
        },
      ),
    );
  });
});

describe('sparkline', () => {
  it('maps zero to the lowest bar and the max to the full block', () => {
    expect(sparkline([0, 1, 2, 4, 8], 5)).toBe('▁▂▃▅█');
  });

  it('keeps a tiny non-zero value visible above zero', () => {
    expect(sparkline([0, 1, 1000], 3)).toBe('▁▂█');
  });

  it('draws a flat line for an all-zero series', () => {
    expect(sparkline([0, 0, 0], 3)).toBe('▁▁▁');
  });

  it('shows a spike after downsampling to the width', () => {
    const values = Array.from({ length: 600 }, (_, i) => (i === 417 ? 50 : 1));
    const line = sparkline(values, 60);
    expect([...line]).toHaveLength(60);
    expect([...line].filter((c) => c === '█')).toHaveLength(1);
  });
});
