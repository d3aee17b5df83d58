import { runScenario } from '../sim/run-scenario.js';
import { loadScenarioForCli, namedScenario } from '../sim/scenario/load-for-run.js';
import { builtinScenarioNames } from '../sim/scenario/scenario-file.js';
import type { Workload } from './workload.js';

/** One workload per built-in scenario: load, simulate to the horizon (no report writing). */
export function scenarioWorkloads(): Workload[] {
  return builtinScenarioNames().map((name) => ({
    name: `scenario:${name}`,
    description: `drainsim run ${name} (simulation only)`,
    run: () => {
      const result = runScenario(namedScenario(loadScenarioForCli(name)));
      return { events: result.engineEvents, simSeconds: result.horizon };
    },
  }));
}
