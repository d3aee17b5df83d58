/**
 * Durations, wall-clock times and percentages as scenario files write them.
 *
 * Every duration carries a unit (`500ms`, `30s`, `1h30m`): a bare `30` is rejected rather than
 * guessed, because nginx reads `30` as seconds while HAProxy reads it as milliseconds and the
 * seed documents quote both. Parsed values are seconds as plain numbers.
 */

import { ValueError } from './value-error.js';

/** A duration, time or percentage in a scenario that cannot be read. */
export class UnitError extends ValueError {
  override readonly name = 'UnitError';
}

/**
 * Seconds per unit. Sub-second units scale by a decimal exponent (see `termSeconds`) so that
 * `100ms` is exactly the literal 0.1 rather than 100 * 0.001.
 */
const UNITS: Readonly<Record<string, { exponent?: number; multiply?: number }>> = {
  us: { exponent: -6 },
  µs: { exponent: -6 },
  ms: { exponent: -3 },
  s: { multiply: 1 },
  m: { multiply: 60 },
  h: { multiply: 3600 },
  d: { multiply: 86_400 },
};
const UNIT_LIST = 'us, ms, s, m, h, d';
const EXPECTED_DURATION = `a duration with a unit (${UNIT_LIST}), e.g. 30s, 500ms or 1h30m`;

/** Common spellings that are not units here, mapped to the one meant. */
const UNIT_ALIASES: Readonly<Record<string, string>> = {
  sec: 's',
  secs: 's',
  second: 's',
  seconds: 's',
  min: 'm',
  mins: 'm',
  minute: 'm',
  minutes: 'm',
  hr: 'h',
  hrs: 'h',
  hour: 'h',
  hours: 'h',
  day: 'd',
  days: 'd',
  msec: 'ms',
  msecs: 'ms',
  millis: 'ms',
  μs: 'us',
  usec: 'us',
};

const NUMBER = String.raw`(?:\d+(?:\.\d*)?|\.\d+)`;
const UNIT_ALTERNATIVES = Object.keys(UNITS)
  .sort((a, b) => b.length - a.length)
  .join('|');

/**
 * The language `parseDuration` accepts, as an ECMAScript regex source: also emitted as the JSON
 * Schema `pattern` so editors flag bad durations before drainsim runs.
 */
export const DURATION_PATTERN = String.raw`^\s*(?:${NUMBER}\s*(?:${UNIT_ALTERNATIVES})\s*)+$`;

const TERM = new RegExp(String.raw`\s*(${NUMBER})\s*([^\s\d.]*)\s*`, 'y');
const BARE_NUMBER = new RegExp(String.raw`^\s*[+-]?${NUMBER}(?:[eE][+-]?\d+)?\s*$`);

/** The error for a duration written without a unit; also used by the zod layer for JSON numbers. */
export function unitlessDurationError(value: string | number): UnitError {
  const text = String(value).trim();
  return new UnitError(
    `unit-less duration '${text}': write it with a unit, e.g. ${text}s`,
    EXPECTED_DURATION,
    `'${text}'`,
  );
}

/** Parses `500ms`, `30s`, `1.5s`, `1h30m`, `2h 11m`, `250us` into seconds. */
export function parseDuration(text: string): number {
  if (typeof text === 'number') throw unitlessDurationError(text);
  if (typeof text !== 'string') {
    throw new UnitError(`not a duration: ${String(text)}`, EXPECTED_DURATION, String(text));
  }
  const trimmed = text.trim();
  if (trimmed === '') throw new UnitError(`empty duration: expected ${EXPECTED_DURATION}`, EXPECTED_DURATION, "''");
  if (/^-\s*[\d.]/.test(trimmed)) {
    throw new UnitError(
      `negative duration '${trimmed}': durations must be 0 or more`,
      EXPECTED_DURATION,
      `'${trimmed}'`,
    );
  }
  if (BARE_NUMBER.test(trimmed)) throw unitlessDurationError(trimmed);

  let seconds = 0;
  TERM.lastIndex = 0;
  while (TERM.lastIndex < trimmed.length) {
    const at = TERM.lastIndex;
    const m = TERM.exec(trimmed);
    if (m === null) {
      throw new UnitError(
        `cannot read duration '${trimmed}'${at > 0 ? ` at '${trimmed.slice(at)}'` : ''}: expected ${EXPECTED_DURATION}`,
        EXPECTED_DURATION,
        `'${trimmed}'`,
      );
    }
    seconds += termSeconds(m[1]!, m[2]!, trimmed);
  }
  if (!Number.isFinite(seconds)) {
    throw new UnitError(`duration '${trimmed}' is too large`, EXPECTED_DURATION, `'${trimmed}'`);
  }
  return seconds;
}

function termSeconds(number: string, unit: string, whole: string): number {
  const scale = UNITS[unit];
  if (scale === undefined) {
    if (unit === '') {
      throw new UnitError(
        `missing unit after '${number}' in duration '${whole}': expected one of ${UNIT_LIST}`,
        EXPECTED_DURATION,
        `'${whole}'`,
      );
    }
    const meant = UNIT_ALIASES[unit.toLowerCase()] ?? (UNITS[unit.toLowerCase()] ? unit.toLowerCase() : undefined);
    const hint = meant === undefined ? '' : ` (did you mean '${number}${meant}'?)`;
    throw new UnitError(
      `unknown unit '${unit}' in duration '${whole}': expected one of ${UNIT_LIST}${hint}`,
      `a unit among ${UNIT_LIST}`,
      `'${unit}'`,
    );
  }
  return scale.exponent !== undefined ? Number(`${number}e${scale.exponent}`) : Number(number) * scale.multiply!;
}

/** Human form for logs: `2h 11m`, `30m 5s`, `45s`, `1.5s`, `500ms`, `250us`, `0s`. */
export function formatDuration(seconds: number): string {
  if (Number.isNaN(seconds)) return 'NaN';
  if (seconds < 0) return `-${formatDuration(-seconds)}`;
  if (seconds === Infinity) return 'infinite';
  if (seconds === 0) return '0s';
  if (seconds < 1) {
    const ms = round3(seconds * 1e3);
    if (ms < 1) {
      const us = round3(seconds * 1e6);
      return us < 1000 ? `${us}us` : '1ms';
    }
    if (ms < 1000) return `${ms}ms`;
  }
  const totalMs = Math.round(seconds * 1e3);
  if (totalMs < 60_000) return `${totalMs / 1e3}s`;
  const parts: string[] = [];
  let rest = totalMs;
  for (const [unit, ms] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
  ] as const) {
    const count = Math.floor(rest / ms);
    rest -= count * ms;
    if (count > 0) parts.push(`${count}${unit}`);
  }
  if (rest > 0) parts.push(`${rest / 1e3}s`);
  return parts.join(' ');
}

function round3(x: number): number {
  return Math.round(x * 1e3) / 1e3;
}

const CLOCK = /^\s*(\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?\s*$/;
const EXPECTED_CLOCK = 'a wall-clock time HH:MM or HH:MM:SS, e.g. 09:30 or 23:59:30';

/** `HH:MM` or `HH:MM:SS` (24-hour) to seconds since midnight. */
export function parseClock(text: string): number {
  const m = typeof text === 'string' ? CLOCK.exec(text) : null;
  if (m === null) {
    throw new UnitError(
      `cannot read clock time '${String(text)}': expected ${EXPECTED_CLOCK}`,
      EXPECTED_CLOCK,
      `'${String(text)}'`,
    );
  }
  const hours = Number(m[1]);
  const minutes = Number(m[2]);
  const seconds = m[3] === undefined ? 0 : Number(m[3]);
  if (hours > 23 || minutes > 59 || seconds >= 60) {
    throw new UnitError(
      `clock time '${text.trim()}' is out of range: expected ${EXPECTED_CLOCK}`,
      EXPECTED_CLOCK,
      `'${text.trim()}'`,
    );
  }
  return hours * 3600 + minutes * 60 + seconds;
}

/** Seconds since midnight to `HH:MM:SS`; wraps past 24h, truncates fractions of a second. */
export function formatClock(secondsSinceMidnight: number): string {
  const whole = Math.floor(secondsSinceMidnight);
  const inDay = ((whole % 86_400) + 86_400) % 86_400;
  const hh = Math.floor(inDay / 3600);
  const mm = Math.floor((inDay % 3600) / 60);
  const ss = inDay % 60;
  return `${pad2(hh)}:${pad2(mm)}:${pad2(ss)}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

export const PERCENT_PATTERN = String.raw`^\s*${NUMBER}\s*%\s*$`;
const PERCENT = new RegExp(String.raw`^\s*(${NUMBER})\s*%\s*$`);
const EXPECTED_PERCENT = "a percentage such as '99.9%' or a fraction between 0 and 1 such as 0.999";

/** `'99.9%'` or a fraction `0.999` to a fraction in [0, 1]. */
export function parsePercent(input: string | number): number {
  if (typeof input === 'number') {
    if (Number.isFinite(input) && input >= 0 && input <= 1) return input;
    const hint = Number.isFinite(input) && input > 1 && input <= 100 ? ` (did you mean '${input}%'?)` : '';
    throw new UnitError(
      `percentage ${input} is not a fraction between 0 and 1${hint}`,
      EXPECTED_PERCENT,
      String(input),
    );
  }
  const m = typeof input === 'string' ? PERCENT.exec(input) : null;
  if (m === null) {
    const hint = typeof input === 'string' && BARE_NUMBER.test(input) ? ` (did you mean '${input.trim()}%'?)` : '';
    throw new UnitError(
      `cannot read percentage '${String(input)}': expected ${EXPECTED_PERCENT}${hint}`,
      EXPECTED_PERCENT,
      `'${String(input)}'`,
    );
  }
  // Shifting the decimal point in text keeps '99.9%' equal to the literal 0.999.
  const fraction = Number(`${m[1]}e-2`);
  if (fraction > 1) {
    throw new UnitError(`percentage '${input.trim()}' is above 100%`, EXPECTED_PERCENT, `'${input.trim()}'`);
  }
  return fraction;
}
