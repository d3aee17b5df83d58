/**
 * Numbers and times as assertions write them, read with the same unit rules as scenario files
 * (units.ts) so `5m` means 300 s everywhere.
 */

import { parseClock, parseDuration, parsePercent, UnitError } from '../scenario/units.js';
import { AssertionIssue } from './issue.js';

export type LiteralKind = 'number' | 'duration' | 'percent';

export interface Literal {
  value: number;
  kind: LiteralKind;
  text: string;
}

const PLAIN_NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;
const CLOCK = /^\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/;

function fromUnitError<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof UnitError) throw new AssertionIssue(err.message);
    throw err;
  }
}

/**
 * A value to compare with: a plain number (in the figure's own unit), a duration (`5m` → 300, for
 * figures in seconds) or a percentage (`99.9%` → 0.999).
 */
export function readValue(text: string): Literal {
  if (PLAIN_NUMBER.test(text)) return { value: Number(text), kind: 'number', text };
  if (text.endsWith('%')) return { value: fromUnitError(() => parsePercent(text)), kind: 'percent', text };
  if (CLOCK.test(text)) {
    throw new AssertionIssue(
      `'${text}' is a wall-clock time, not a value; times go in 'over [from, to]' or 'at <time>'`,
    );
  }
  return { value: fromUnitError(() => parseDuration(text)), kind: 'duration', text };
}

/** What a time is measured against: the run's wall-clock start and its length. */
export interface RunSpan {
  /** Wall-clock label of simulated time 0 (`HH:MM:SS`). */
  start: string;
  horizon: number;
}

/**
 * Simulated seconds since start: `2m`, a wall-clock `14:02` / `14:02:30` on the run's clock (the
 * next day when earlier than the start, as timeline actions read it), or `start` / `end`.
 */
export function readTime(text: string, span: RunSpan): number {
  if (text === 'start') return 0;
  if (text === 'end') return span.horizon;
  if (CLOCK.test(text)) {
    const t = fromUnitError(() => parseClock(text) - parseClock(span.start));
    return t < 0 ? t + 86_400 : t;
  }
  return fromUnitError(() => parseDuration(text));
}
