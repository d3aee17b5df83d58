/**
 * events.log: one line per notable event, in the order the simulation emitted them, stamped with
 * the simulated wall clock: `HH:MM:SS.mmm [source] text`.
 */
import type { RunResult } from '../../sim/result.js';
import { wallClock } from '../wall-clock.js';
import type { FileReport } from '../writer.js';

export function renderEventsLog(result: RunResult): string {
  const clock = wallClock(result.start);
  // Escaped so that one event stays one line, which grep and `wc -l` rely on.
  const oneLine = (text: string): string => text.replace(/\r?\n/g, '\\n');
  return result.events.map((e) => `${clock.atMillis(e.t)} [${e.source}] ${oneLine(e.text)}\n`).join('');
}

export const eventsLog: FileReport = {
  name: 'events-log',
  fileName: 'events.log',
  render: renderEventsLog,
};
