/**
 * A run cut into phases at its timeline actions: the quiet before the first action, then one
 * phase per moment something was done, each holding the log lines up to the next action.
 */

import { type TimelineMark, timelineMarks } from '../../reports/html/timeline-marks.js';
import type { LogLine, RunResult } from '../result.js';

export interface Phase {
  /** Simulated seconds; the first phase starts at the first logged or recorded moment. */
  from: number;
  to: number;
  /** The actions that open the phase; undefined for the time before the first action. */
  mark?: TimelineMark;
  lines: LogLine[];
}

export function splitPhases(result: RunResult): Phase[] {
  // An action past the horizon never fired.
  const marks = timelineMarks(result).filter((m) => m.t <= result.horizon);
  const first = Math.min(0, result.events[0]?.t ?? 0, marks[0]?.t ?? 0);
  const phases: Phase[] = [];
  if (marks.length === 0 || marks[0]!.t > first)
    phases.push({ from: first, to: marks[0]?.t ?? result.horizon, lines: [] });
  marks.forEach((mark, i) => phases.push({ from: mark.t, to: marks[i + 1]?.t ?? result.horizon, mark, lines: [] }));
  // Lines at an action's own time belong to the phase it opens.
  let p = 0;
  for (const line of result.events) {
    while (p + 1 < phases.length && line.t >= phases[p + 1]!.from) p++;
    phases[p]!.lines.push(line);
  }
  return phases;
}
