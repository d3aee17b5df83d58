import { describe, expect, it } from 'vitest';
import { roundForOutput, roundNumber } from '../../reports/round-for-output.js';

describe('roundNumber', () => {
  it('keeps at most 6 decimals and removes float noise', () => {
    expect(roundNumber(0.1 + 0.2)).toBe(0.3);
    expect(roundNumber(1.23456789)).toBe(1.234568);
    expect(roundNumber(12345678.9)).toBe(12345678.9);
  });

  it('turns non-finite values into null and -0 into 0', () => {
    expect(roundNumber(NaN)).toBeNull();
    expect(roundNumber(Infinity)).toBeNull();
    expect(Object.is(roundNumber(-0), 0)).toBe(true);
    expect(Object.is(roundNumber(-1e-9), 0)).toBe(true);
  });

  it('returns an integer as the string round trip would, at every magnitude (its fast path)', () => {
    const integers = [
      1,
      -1,
      7,
      42,
      65_535,
      2 ** 31,
      -(2 ** 31) - 1,
      123_456_789_012,
      2 ** 53 - 1,
      2 ** 53 + 2,
      1e20,
      1e21,
    ];
    for (let e = 0; e < 300; e += 7)
      integers.push(2 ** e, -(3 ** Math.min(e, 600)), 10 ** e, Number.MAX_SAFE_INTEGER * 2 ** e);
    integers.push(Number.MAX_VALUE, -Number.MAX_VALUE);
    for (const v of integers) {
      expect(Number.isInteger(v)).toBe(true);
      expect(Object.is(roundNumber(v), Number(v.toFixed(6))), String(v)).toBe(true);
    }
  });
});

describe('roundForOutput', () => {
  it('rounds numbers at any depth and keeps key order and other values', () => {
    const out = roundForOutput({ b: [1 / 3, { z: 'x', a: 2.0000000001 }], a: true, c: null });
    expect(out).toEqual({ b: [0.333333, { z: 'x', a: 2 }], a: true, c: null });
    expect(Object.keys(out as object)).toEqual(['b', 'a', 'c']);
  });
});
