/**
 * events.log: one line per notable event, in the order the simulation emitted them, stamped with
 * the simulated wall clock: `HH:MM:SS.mmm [source] text`.
 */
import type { RunResult } from '../../sim/result.js';
import { type WallClock, wallClock } from '../wall-clock.js';
import type { FileReport } from '../writer.js';

/** One event as events.log prints it (without the newline). */
export function eventLogLine(clock: WallClock, e: RunResult['events'][number]): string {
  // Escaped so that one event stays one line, which grep and `wc -l` rely on.
  return `${clock.atMillis(e.t)} [${e.source}] ${e.text.replace(/\r?\n/g, '\\n')}`;
}

export function renderEventsLog(result: RunResult): string {
  const clock = wallClock(result.start);
  return result.events.map((e) => `${eventLogLine(clock, e)}\n`).join('');
}

export const eventsLog: FileReport = {
  name: 'events-log',
  fileName: 'events.log',
  render: renderEventsLog,
};
