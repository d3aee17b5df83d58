/**
 * The steps of a run's story, for the terminal summary and the report's chart markers: the
 * scenario's timeline actions and every orchestrator step the model logged on its own — a deploy
 * gate's decision or timeout, its forced stage, a pod's SIGTERM or SIGKILL, an endpoint removed.
 * A step at the time of an action is that action's own log line and is not repeated.
 */
import type { RunResult } from '../sim/result.js';
import type { TraceRecord } from '../sim/trace/records.js';
import { timelineMarks } from './html/timeline-marks.js';

/** Log sources of orchestrators: their lines are steps of the story, not noise. */
const ORCHESTRATORS = new Set(['deploy', 'k8s']);

export interface StoryStep {
  /** Simulated seconds since start. */
  t: number;
  label: string;
  /** A timeline action of the scenario file, or a step an orchestrator took on its own. */
  from: 'action' | 'orchestrator';
  /** What the model recorded for the step (an action's first own log line), for its explanation. */
  record?: TraceRecord;
}

/** Sources whose line at an action's time is that action's own doing (not a client's error). */
const ACTORS = new Set(['deploy', 'k8s', 'lb', 'app', 'nginx', 'hc']);

/** Steps within the recorded run (warmup excluded), in time order; at one time, actions first. */
export function storySteps(result: RunResult): StoryStep[] {
  const inRun = (t: number): boolean => t >= 0 && t <= result.horizon;
  const marks = timelineMarks(result).filter((m) => inRun(m.t));
  const markTimes = new Set(marks.map((m) => m.t));
  const logged = result.events
    .filter((line) => ORCHESTRATORS.has(line.source) && inRun(line.t) && !markTimes.has(line.t))
    .map((line): StoryStep => ({ t: line.t, label: line.text, from: 'orchestrator', record: line.record }));
  const actions = marks.map((m): StoryStep => {
    const own = result.events.find((line) => line.t === m.t && ACTORS.has(line.source));
    return own === undefined
      ? { t: m.t, label: m.label, from: 'action' }
      : { t: m.t, label: m.label, from: 'action', record: own.record };
  });
  // Array.prototype.sort is stable: actions keep file order, log lines log order.
  return [...actions, ...logged].sort((a, b) => a.t - b.t);
}
