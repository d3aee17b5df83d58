/**
 * How every command loads a scenario: the real schema, the command line's `--set` overrides, and
 * `empirical(file.csv)` paths resolved next to the scenario file.
 */
import { type LoadedScenario, loadScenario } from './load.js';
import { type Scenario, ScenarioSchema } from './schema.js';
import { type ScenarioWarning, scenarioWarnings } from './warnings.js';
import { withDistributionBaseDir } from './zod-types.js';

/** A scenario as the command line loads it, with the warnings `run`, `validate` and `check` print. */
export type CliScenario = LoadedScenario<Scenario> & { warnings: ScenarioWarning[] };

export function loadScenarioForCli(
  ref: string,
  sets: readonly string[] = [],
  opts: { allowOutside?: boolean } = {},
): CliScenario {
  const loaded = loadScenario(ref, ScenarioSchema, {
    sets: [...sets],
    withBaseDir: withDistributionBaseDir,
    allowOutside: opts.allowOutside,
  });
  return { ...loaded, warnings: scenarioWarnings(loaded) };
}

/** The scenario to simulate: named after its file or built-in name, which outputs carry. */
export function namedScenario(loaded: LoadedScenario<Scenario>): Scenario {
  return { ...loaded.scenario, name: loaded.name };
}
