import { parseClock, parseDuration } from './units.js';

const CLOCK_AT = /^\d{1,2}:\d{2}(:\d{2})?$/;

/**
 * Simulated time (seconds since t=0) of a timeline `at:` value: a duration since the start
 * (`2m`) or a wall-clock time on the scenario's clock (`14:02`). A clock time before the warmup
 * began is taken as the next day; nothing happens before the warmup.
 */
export function simTimeOf(at: string, start: string, warmup: number): number {
  let t: number;
  if (CLOCK_AT.test(at.trim())) {
    t = parseClock(at) - parseClock(start);
    if (t < -warmup) t += 86_400;
  } else t = parseDuration(at);
  return Math.max(t, -warmup);
}
