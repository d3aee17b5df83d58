/**
 * Options shared by the commands that load one scenario. `--set path=value` is repeatable; a plain
 * string option (not yargs' greedy `array`) so `--set a=1 scenario.yaml` keeps the positional.
 */
import type { Options, PositionalOptions } from 'yargs';
import { seedOptionFor } from './number-options.js';

/** `run` and `explain`: the scenario to simulate. */
export const scenarioPositional = {
  type: 'string',
  demandOption: true,
  describe: 'A built-in scenario name (see `drainsim list`) or a YAML/JSON file',
} satisfies PositionalOptions;

/** `run` and `explain`: the seed of this one run. */
export const seedOption = seedOptionFor("Random seed, 0 … 2^53 − 1 (overrides the scenario's seed)");

export const setOption = {
  type: 'string',
  nargs: 1,
  describe: 'Override a scenario value after extends, e.g. backends.vm-a.weight=3 (repeatable)',
  coerce: (value: string | string[]): string[] => ([] as string[]).concat(value),
} satisfies Options;
