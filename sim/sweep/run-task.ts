/**
 * One sweep run, as a worker thread does it: the point's scenario (loaded once per point and
 * kept), run with the task's seed, reduced to its figures.
 */

import { runScenario } from '../run-scenario.js';
import { loadScenarioForCli, namedScenario } from '../scenario/load-for-run.js';
import type { Scenario } from '../scenario/schema.js';
import { pointSets } from './prepare.js';
import { type RunRecord, taskOf } from './types.js';
import type { WorkerSetup } from './worker-protocol.js';

export class TaskRunner {
  private readonly scenarios = new Map<number, Scenario>();

  constructor(private readonly setup: WorkerSetup) {}

  run(task: number): RunRecord {
    const { point, seed } = taskOf(this.setup.spec, task);
    const result = runScenario(this.scenario(point), { seed });
    const figures: RunRecord['figures'] = {};
    for (const [name, value] of Object.entries(result.figures))
      figures[name] = value !== null && Number.isFinite(value) ? value : null;
    return { task, engineEvents: result.engineEvents, figures };
  }

  private scenario(point: number): Scenario {
    let scenario = this.scenarios.get(point);
    if (scenario === undefined) {
      const { spec, points } = this.setup;
      const loaded = loadScenarioForCli(spec.scenario, pointSets(spec, points[point]!));
      scenario = namedScenario(loaded);
      this.scenarios.set(point, scenario);
    }
    return scenario;
  }
}
