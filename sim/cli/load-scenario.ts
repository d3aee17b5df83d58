/**
 * How every command loads a scenario: the real schema, the command line's `--set` overrides, and
 * `empirical(file.csv)` paths resolved next to the scenario file.
 */
import { loadScenario, type LoadedScenario } from '../scenario/load.js';
import { ScenarioSchema, type Scenario } from '../scenario/schema.js';
import { withDistributionBaseDir } from '../scenario/zod-types.js';

export function loadScenarioForCli(ref: string, sets: readonly string[] = []): LoadedScenario<Scenario> {
  return loadScenario(ref, ScenarioSchema, { sets: [...sets], withBaseDir: withDistributionBaseDir });
}
