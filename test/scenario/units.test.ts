import { describe, expect, it } from 'vitest';
import {
  DURATION_PATTERN,
  formatClock,
  formatDuration,
  parseClock,
  parseDuration,
  parsePercent,
  UnitError,
} from '../../sim/scenario/units.js';

function unitError(fn: () => unknown): UnitError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UnitError);
    return e as UnitError;
  }
  throw new Error('expected a UnitError, nothing was thrown');
}

describe('parseDuration', () => {
  it.each([
    ['500ms', 0.5],
    ['100ms', 0.1],
    ['30s', 30],
    ['5m', 300],
    ['2h', 7200],
    ['1d', 86_400],
    ['1.5s', 1.5],
    ['.5s', 0.5],
    ['1h30m', 5400],
    ['2h 11m', 7860],
    [' 2h 11m 5s ', 7865],
    ['250us', 0.00025],
    ['250µs', 0.00025],
    ['0s', 0],
    ['5 s', 5],
  ])('%s is %d seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it('rejects a unit-less number and says how to write it', () => {
    const e = unitError(() => parseDuration('30'));
    expect(e.message).toBe("unit-less duration '30': write it with a unit, e.g. 30s");
    expect(e.found).toBe("'30'");
    expect(e.expected).toMatch(/unit/);
    // YAML hands a bare 30 over as a number.
    expect(unitError(() => parseDuration(30 as unknown as string)).message).toMatch(/unit-less duration '30'/);
  });

  it('rejects negative durations', () => {
    expect(unitError(() => parseDuration('-5s')).message).toMatch(/negative duration '-5s'/);
  });

  it('rejects unknown units, suggesting the one meant', () => {
    const e = unitError(() => parseDuration('5min'));
    expect(e.message).toMatch(/unknown unit 'min'.*did you mean '5m'\?/);
    expect(e.found).toBe("'min'");
    expect(unitError(() => parseDuration('3w')).message).toMatch(/unknown unit 'w'.*us, ms, s, m, h, d/);
    expect(unitError(() => parseDuration('30S')).message).toMatch(/did you mean '30s'/);
  });

  it('rejects empty text, garbage and a trailing number without unit', () => {
    expect(unitError(() => parseDuration('')).message).toMatch(/empty duration/);
    expect(unitError(() => parseDuration('abc')).message).toMatch(/cannot read duration 'abc'/);
    expect(unitError(() => parseDuration('1h30')).message).toMatch(/missing unit after '30'/);
  });

  it('accepts exactly the strings that DURATION_PATTERN (the JSON Schema pattern) accepts', () => {
    const pattern = new RegExp(DURATION_PATTERN);
    const inputs = [
      '30s',
      '1h30m',
      '2h 11m',
      '.5s',
      '5.s',
      '250us',
      '30',
      '-5s',
      '5min',
      '',
      'abc',
      '1h30',
      '30S',
      's',
      '1.5.5s',
    ];
    for (const text of inputs) {
      let parses = true;
      try {
        parseDuration(text);
      } catch {
        parses = false;
      }
      expect([text, pattern.test(text)]).toEqual([text, parses]);
    }
  });
});

describe('formatDuration', () => {
  it.each([
    [7860, '2h 11m'],
    [1805, '30m 5s'],
    [45, '45s'],
    [1.5, '1.5s'],
    [0.5, '500ms'],
    [0.00025, '250us'],
    [0, '0s'],
    [90_061, '1d 1h 1m 1s'],
    [7865.5, '2h 11m 5.5s'],
    [59.9996, '1m'],
    [0.1 + 0.2, '300ms'],
    [Infinity, 'infinite'],
    [-3, '-3s'],
  ])('%d s is %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('round-trips through parseDuration for whole milliseconds', () => {
    for (const s of [0.001, 0.5, 1, 59.999, 61, 3599, 3600, 86_399.5, 172_800]) {
      expect(parseDuration(formatDuration(s))).toBeCloseTo(s, 9);
    }
  });
});

describe('clock times', () => {
  it('parses HH:MM and HH:MM:SS', () => {
    expect(parseClock('09:30')).toBe(34_200);
    expect(parseClock('9:30')).toBe(34_200);
    expect(parseClock('23:59:59')).toBe(86_399);
    expect(parseClock('00:00')).toBe(0);
  });

  it('rejects malformed and out-of-range times', () => {
    expect(unitError(() => parseClock('24:00')).message).toMatch(/out of range/);
    expect(unitError(() => parseClock('12:60')).message).toMatch(/out of range/);
    expect(unitError(() => parseClock('noon')).message).toMatch(/HH:MM/);
  });

  it('formats HH:MM:SS, wrapping past midnight and truncating fractions', () => {
    expect(formatClock(34_200)).toBe('09:30:00');
    expect(formatClock(86_399.999)).toBe('23:59:59');
    expect(formatClock(86_400 + 61)).toBe('00:01:01');
    expect(formatClock(-1)).toBe('23:59:59');
    expect(formatClock(parseClock('07:05:09'))).toBe('07:05:09');
  });
});

describe('parsePercent', () => {
  it('reads percentages and fractions', () => {
    expect(parsePercent('99.9%')).toBe(0.999);
    expect(parsePercent('100%')).toBe(1);
    expect(parsePercent('0%')).toBe(0);
    expect(parsePercent(0.999)).toBe(0.999);
  });

  it('rejects values outside 0..100% and suggests the % sign for a bare number', () => {
    expect(unitError(() => parsePercent(99.9)).message).toMatch(/did you mean '99.9%'/);
    expect(unitError(() => parsePercent('99.9')).message).toMatch(/did you mean '99.9%'/);
    expect(unitError(() => parsePercent('150%')).message).toMatch(/above 100%/);
    expect(unitError(() => parsePercent(-0.1)).message).toMatch(/not a fraction between 0 and 1/);
  });
});
