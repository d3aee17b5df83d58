import { runScenario } from '../sim/run-scenario.js';
import { loadScenario } from '../sim/scenario/load.js';
import { builtinScenarioNames } from '../sim/scenario/scenario-file.js';
import { ScenarioSchema } from '../sim/scenario/schema.js';
import type { Workload } from './workload.js';

/** One workload per built-in scenario: load, simulate to the horizon (no report writing). */
export function scenarioWorkloads(): Workload[] {
  return builtinScenarioNames().map((name) => ({
    name: `scenario:${name}`,
    description: `drainsim run ${name} (simulation only)`,
    run: () => {
      const loaded = loadScenario(name, ScenarioSchema);
      const result = runScenario({ ...loaded.scenario, name: loaded.name });
      return { events: result.engineEvents, simSeconds: result.horizon };
    },
  }));
}
