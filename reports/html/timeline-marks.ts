/**
 * The scenario's timeline actions placed on simulated time, for the vertical markers of the HTML
 * charts and the phases of `drainsim explain`. Read from `result.resolved` (typed `unknown` in a
 * RunResult), so anything malformed is skipped rather than trusted.
 */
import type { RunResult } from '../../sim/result.js';
import { simTimeOf } from '../../sim/scenario/sim-time.js';
import { formatDuration } from '../../sim/scenario/units.js';

/** One timeline entry as the resolved scenario holds it (`mode`, `text` … depend on `do`). */
export interface TimelineAction {
  at: string;
  do: string;
  backend?: string;
  [key: string]: unknown;
}

/** Every action that fires at one simulated time. */
export interface TimelineMark {
  /** Simulated seconds since start (negative during warmup). */
  t: number;
  actions: TimelineAction[];
  /** The actions in the scenario's vocabulary, joined: `remove vm-c, terminate vm-c (kill)`. */
  label: string;
}

/** `remove vm-c`, `terminate vm-c (kill)`, `load http_rate=50`, `note: text`. */
export function actionLabel(action: TimelineAction): string {
  const head = action.backend === undefined ? action.do : `${action.do} ${action.backend}`;
  switch (action.do) {
    case 'terminate':
      return typeof action.mode === 'string' ? `${head} (${action.mode})` : head;
    case 'deploy':
      return typeof action.terminate === 'string' ? `${head} (then ${action.terminate})` : head;
    case 'note':
      return `note: ${String(action.text ?? '')}`;
    case 'load':
    case 'set': {
      const settings = action.do === 'set' ? action.nginx : action;
      const pairs = Object.entries(isRecord(settings) ? settings : {})
        .filter(([k, v]) => !['at', 'do', 'backend'].includes(k) && v !== undefined)
        .map(([k, v]) => `${k}=${typeof v === 'number' && k.endsWith('timeout') ? formatDuration(v) : String(v)}`);
      return pairs.length === 0 ? head : `${head} ${pairs.join(' ')}`;
    }
    default:
      return head;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isAction(v: unknown): v is TimelineAction {
  return isRecord(v) && typeof v.at === 'string' && typeof v.do === 'string';
}

/** The run's timeline actions grouped by the time they fire, in time order (ties keep file order). */
export function timelineMarks(result: RunResult): TimelineMark[] {
  const resolved = isRecord(result.resolved) ? result.resolved : {};
  const timeline = Array.isArray(resolved.timeline) ? resolved.timeline.filter(isAction) : [];
  const warmup = typeof resolved.warmup === 'number' ? resolved.warmup : 0;
  const timed: { t: number; action: TimelineAction }[] = [];
  for (const action of timeline) {
    try {
      timed.push({ t: simTimeOf(action.at, result.start, warmup), action });
    } catch {
      // An unreadable time cannot be placed; the scenario loader would have rejected it anyway.
    }
  }
  // Array.prototype.sort is stable, so actions at the same time keep the order they fire in.
  timed.sort((a, b) => a.t - b.t);
  const marks: TimelineMark[] = [];
  for (const { t, action } of timed) {
    const last = marks[marks.length - 1];
    if (last !== undefined && last.t === t) last.actions.push(action);
    else marks.push({ t, actions: [action], label: '' });
  }
  for (const mark of marks) mark.label = mark.actions.map(actionLabel).join(', ');
  return marks;
}
