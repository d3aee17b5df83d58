/**
 * How every command loads a scenario: the real schema, the command line's `--set` overrides, and
 * `empirical(file.csv)` paths resolved next to the scenario file.
 */
import { type LoadedScenario, loadScenario } from './load.js';
import { type Scenario, ScenarioSchema } from './schema.js';
import { withDistributionBaseDir } from './zod-types.js';

export function loadScenarioForCli(
  ref: string,
  sets: readonly string[] = [],
  opts: { allowOutside?: boolean } = {},
): LoadedScenario<Scenario> {
  return loadScenario(ref, ScenarioSchema, {
    sets: [...sets],
    withBaseDir: withDistributionBaseDir,
    allowOutside: opts.allowOutside,
  });
}

/** The scenario to simulate: named after its file or built-in name, which outputs carry. */
export function namedScenario(loaded: LoadedScenario<Scenario>): Scenario {
  return { ...loaded.scenario, name: loaded.name };
}
