/**
 * Some issues are found only after a scenario is loaded: expectations (their names need a run) and
 * what a run itself refuses (a `rollout` starting while another is in progress,
 * sim/model/control/k8s-rollout.ts). They carry the path (`expect[2]`, `timeline[3].at`) but not
 * the line; this adds the file, line and column the entry was written at.
 */

import { ScenarioError, type ScenarioIssue } from '../scenario/errors.js';
import type { LoadedScenario } from '../scenario/load.js';
import type { PathSegment } from '../scenario/path.js';

/** Paths located after loading: an expectation, or a timeline action a run refused. */
const LOCATED_PATH = /^(expect|timeline)((?:\[\d+\]|\.[A-Za-z_][\w-]*)*)$/;

/** `timeline[3].at` as segments; undefined for a path this does not locate. */
function segmentsOf(path: string): PathSegment[] | undefined {
  const m = LOCATED_PATH.exec(path);
  if (m === null) return undefined;
  const segments: PathSegment[] = [m[1]!];
  for (const [, index, key] of m[2]!.matchAll(/\[(\d+)\]|\.([A-Za-z_][\w-]*)/g)) {
    segments.push(index !== undefined ? Number(index) : key!);
  }
  return segments;
}

function located(loaded: LoadedScenario<unknown>, issue: ScenarioIssue): ScenarioIssue {
  if (issue.line !== undefined) return issue;
  const segments = segmentsOf(issue.path);
  return segments === undefined ? issue : { ...issue, ...loaded.locate(segments) };
}

/** Runs `body`; a ScenarioError about `expect[i]` entries or `timeline[i]` actions gets their locations. */
export function withExpectLocations<T>(loaded: LoadedScenario<unknown>, body: () => T): T {
  try {
    return body();
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    throw new ScenarioError(err.issues.map((issue) => located(loaded, issue)));
  }
}
