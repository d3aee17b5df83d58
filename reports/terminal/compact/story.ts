/**
 * The story of a run in a few lines: each timeline action (or group firing at one time) and each
 * orchestrator step the model logged on its own (a deploy gate's timeout, its forced stage, a pod's
 * SIGTERM), with what followed — the errors, resets and lost sessions counted until the next step,
 * at most a minute.
 */
import type { RunResult } from '../../../sim/result.js';
import { formatNumber } from '../../../sim/util/format-number.js';
import { storySteps } from '../../story-steps.js';
import { wallClock } from '../../wall-clock.js';
import { countIn } from './series-access.js';

/** Consequences worth naming, most telling first, in the operator's words. */
const CONSEQUENCES: readonly (readonly [series: string, words: string])[] = [
  ['errors', 'errors'],
  ['req_failed', 'requests failed'],
  ['reset_out', 'RSTs to clients'],
  ['ws_close_1006', 'WebSockets cut (1006)'],
  ['sessions_lost', 'sessions lost'],
  ['removals', 'marked DOWN'],
  ['restarts', 'restarts'],
  ['ws_close_1001', 'WebSockets closed 1001'],
  ['reconnects', 'reconnects'],
];

/** How long after an action its consequences are counted when no other action comes sooner. */
const WINDOW_S = 60;

export interface StoryLine {
  t: number;
  text: string;
  /** Sum of the named consequences, to keep the loudest actions when lines must be cut. */
  weight: number;
}

interface Step {
  t: number;
  label: string;
}

/** Story steps, those of one second merged into one line so their consequences are counted once. */
function steps(result: RunResult): Step[] {
  const all = storySteps(result);
  const merged: Step[] = [];
  for (const step of all) {
    const last = merged[merged.length - 1];
    if (last !== undefined && Math.floor(last.t) === Math.floor(step.t)) last.label += `; ${step.label}`;
    else merged.push({ ...step });
  }
  return merged;
}

/** A label cut to `room` characters (at least 24), so a step and its consequences stay on one line. */
function clip(label: string, room: number): string {
  const max = Math.max(24, room);
  return label.length <= max ? label : `${label.slice(0, max - 1).trimEnd()}…`;
}

export function storyLines(result: RunResult, width: number): StoryLine[] {
  const clock = wallClock(result.start);
  const marks = steps(result);
  return marks.map((mark, i) => {
    const next = marks[i + 1]?.t ?? result.horizon;
    const to = Math.max(mark.t + result.timeline.interval, Math.min(next, mark.t + WINDOW_S));
    const counted = CONSEQUENCES.map(([series, words]) => ({ words, n: countIn(result, series, mark.t, to) }))
      .filter((c) => c.n > 0)
      .slice(0, 2);
    const room = width - 12;
    // The second consequence only if the step still reads (40 characters) beside both.
    const both = counted.map((c) => `${formatNumber(c.n)} ${c.words}`).join(', ');
    const after =
      room - both.length - 4 >= 40 || counted.length < 2 ? both : `${formatNumber(counted[0]!.n)} ${counted[0]!.words}`;
    const text = `${clock.at(mark.t)}  ${clip(mark.label, room - (after === '' ? 0 : after.length + 4))}${after === '' ? '' : `  → ${after}`}`;
    return { t: mark.t, text, weight: counted.reduce((a, c) => a + c.n, 0) };
  });
}

/** The `keep` loudest story lines, back in time order. */
export function loudest(lines: readonly StoryLine[], keep: number): StoryLine[] {
  if (lines.length <= keep) return [...lines];
  const ranked = lines.map((line, i) => ({ line, i })).sort((a, b) => b.line.weight - a.line.weight || a.i - b.i);
  return ranked
    .slice(0, keep)
    .sort((a, b) => a.i - b.i)
    .map((r) => r.line);
}
