/**
 * What a run of a scenario will be able to answer, without running it: the timeline's series,
 * entities and sample times, the histograms and every figure name — so `validate` (and `run`,
 * `check` before they simulate) refuse an assertion naming `erors.total` exactly as they would
 * after the run.
 *
 * The model is built but not started: series and histograms are defined when components are
 * constructed, and sample times are k × sample_interval for k = 1 … ⌈horizon / interval⌉
 * (run-scenario.ts startModel). Values are left empty; binding reads names and times only.
 * Drain figures exist in a run only for backends that drained; the shape has them for every
 * backend, so it never refuses a name a run could have (it may let a drain of a backend that
 * never drains through, which the run then reports).
 */
import { computeFigures } from '../figures.js';
import type { RunResult } from '../result.js';
import { buildModel } from '../run-scenario.js';
import { packageVersion } from '../scenario/package-root.js';
import type { Scenario } from '../scenario/schema.js';

type DrainShape = Parameters<typeof computeFigures>[1][number];

export function shapeRun(scenario: Scenario): RunResult {
  const model = buildModel(scenario);
  const { timeline, histograms } = model.world.metrics.result();
  const interval = scenario.sample_interval;
  const t: number[] = [];
  const entity: number[] = [];
  for (let k = 1; ; k++) {
    for (let e = 0; e < timeline.entities.length; e++) {
      t.push(k * interval);
      entity.push(e);
    }
    if (k * interval >= scenario.horizon) break;
  }
  const shaped = {
    ...timeline,
    interval,
    t: Float64Array.from(t),
    entity: Int32Array.from(entity),
    values: timeline.series.map(() => new Float64Array(0)),
  };
  const drains: DrainShape[] = scenario.backends.map((b) => ({
    backend: b.name,
    startedAt: 0,
    activeAtStart: 0,
    wsSessionsAtStart: 0,
    wsAvgAgeAtStart: 0,
    completedAt: null,
    timedOut: false,
    activeAtEnd: 0,
  }));
  return {
    scenario: { name: scenario.name ?? 'scenario', file: '', description: scenario.description },
    seed: scenario.seed,
    version: packageVersion(),
    start: scenario.start,
    horizon: scenario.horizon,
    resolved: scenario,
    figures: computeFigures(shaped, drains, histograms, new Map()),
    histograms: Object.fromEntries([...histograms].map(([name, h]) => [name, h.summary()])),
    timeline: shaped,
    events: [],
    expectations: [],
    engineEvents: 0,
  };
}
