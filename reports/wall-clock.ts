/**
 * Simulated time as the wall-clock label operators read in logs: the scenario's `start` plus t.
 * Labels wrap at midnight (formatClock); the exact offset stays available as `t_s` where it matters.
 */
import { formatClock, parseClock } from '../sim/scenario/units.js';

export interface WallClock {
  /** `HH:MM:SS` of simulated second t (fractions truncated, as a clock shows them). */
  at(t: number): string;
  /** `HH:MM:SS.mmm` of simulated second t. */
  atMillis(t: number): string;
}

export function wallClock(start: string): WallClock {
  const startMs = parseClock(start) * 1000;
  // Whole milliseconds first, so that 0.1 + 0.2 prints as .300 and both labels agree on the second.
  const split = (t: number): { second: number; millis: number } => {
    const total = Math.round(startMs + t * 1000);
    const second = Math.floor(total / 1000);
    return { second, millis: total - second * 1000 };
  };
  return {
    at: (t) => formatClock(split(t).second),
    atMillis: (t) => {
      const { second, millis } = split(t);
      return `${formatClock(second)}.${String(millis).padStart(3, '0')}`;
    },
  };
}
