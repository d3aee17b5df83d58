/**
 * What `drainsim fit` reads out of a log: one observed session duration per usable line, and
 * whether the session was still open when it was logged (right-censored: its real lifetime is
 * longer than the value). Lines that cannot be read are kept with their line number and reason,
 * so the command reports them instead of failing on the first one.
 */
export interface Observation {
  /** Observed duration in seconds (> 0: zero durations are moved to half the log's resolution). */
  seconds: number;
  /** True when the session had not ended when it was logged: the lifetime is at least `seconds`. */
  censored: boolean;
}

export interface BadLine {
  line: number;
  reason: string;
}

export interface ParsedLog {
  observations: Observation[];
  /** Lines that look like data but could not be read, in file order. */
  malformed: BadLine[];
  /** Lines that are not sessions (HAProxy start-up or health-check messages, comments, blank lines, filtered out). */
  skipped: number;
  /** Durations of 0 (below the log's resolution), moved to half the resolution so logarithms stay finite. */
  zeros: number;
  lines: number;
}

/** HAProxy timers and nginx's $request_time have millisecond resolution. */
export const LOG_RESOLUTION_SECONDS = 0.001;

/** A zero-length session, logged as 0 ms: the lifetime is somewhere in [0, 1 ms); half of it is its expectation. */
export function atLeastResolution(seconds: number, log: ParsedLog): number {
  if (seconds > 0) return seconds;
  log.zeros++;
  return LOG_RESOLUTION_SECONDS / 2;
}

export function emptyLog(): ParsedLog {
  return { observations: [], malformed: [], skipped: 0, zeros: 0, lines: 0 };
}

/** Splits text into lines without keeping them all as strings twice; `\r\n` and `\n` both end a line. */
export function forEachLine(text: string, visit: (line: string, lineNumber: number) => void): number {
  let start = 0;
  let n = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    n++;
    const raw = text.slice(start, end);
    visit(raw.endsWith('\r') ? raw.slice(0, -1) : raw, n);
    start = end + 1;
  }
  return n;
}
