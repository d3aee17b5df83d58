import { describe, expect, it } from 'vitest';
import { wallClock } from '../../reports/wall-clock.js';

describe('wallClock', () => {
  const clock = wallClock('14:00:00');

  it('adds simulated seconds to the start label', () => {
    expect(clock.at(0)).toBe('14:00:00');
    expect(clock.at(3725)).toBe('15:02:05');
    expect(clock.atMillis(30.1234)).toBe('14:00:30.123');
  });

  it('rounds to whole milliseconds before splitting, so both labels agree', () => {
    expect(clock.atMillis(0.1 + 0.2)).toBe('14:00:00.300');
    expect(clock.atMillis(9.9996)).toBe('14:00:10.000');
    expect(clock.at(9.9996)).toBe('14:00:10');
  });

  it('truncates fractions of a second in the seconds label', () => {
    expect(clock.at(1.9)).toBe('14:00:01');
  });

  it('wraps past midnight', () => {
    const late = wallClock('23:59:30');
    expect(late.at(45)).toBe('00:00:15');
    expect(late.atMillis(30.5)).toBe('00:00:00.500');
  });
});
