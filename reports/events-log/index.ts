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

/** Lines per chunk; a long run's log is written a chunk at a time (FileReport.chunks). */
const LINES_PER_CHUNK = 2_000;

export function* eventsLogChunks(result: RunResult): Generator<string> {
  const clock = wallClock(result.start);
  let chunk = '';
  for (let i = 0; i < result.events.length; i++) {
    chunk += `${eventLogLine(clock, result.events[i]!)}\n`;
    if ((i + 1) % LINES_PER_CHUNK === 0) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

export function renderEventsLog(result: RunResult): string {
  return [...eventsLogChunks(result)].join('');
}

export const eventsLog: FileReport = {
  name: 'events-log',
  fileName: 'events.log',
  render: renderEventsLog,
  chunks: eventsLogChunks,
};
