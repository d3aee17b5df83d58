/**
 * `drainsim show <scenario>`: the scenario as the simulator will see it — extends merged, overrides
 * applied, every default filled in (durations with units, distributions as their spec, unset
 * optionals left out), as a file `validate` and `run` accept (show-units.ts).
 */

import { stringify } from 'yaml';
import type { CommandModule } from 'yargs';
import { bareIndexes } from '../scenario/bare-backends.js';
import { scenarioJsonSchema } from '../scenario/json-schema.js';
import { loadScenarioForCli } from '../scenario/load-for-run.js';
import { toPlain } from '../scenario/to-plain.js';
import { type CliIO, EXIT, exitCodeHandler, withScenarioErrors } from './context.js';
import { setOption } from './set-option.js';
import { withUnits } from './show-units.js';

export function showScenario(ref: string, sets: readonly string[], io: CliIO): Promise<number> {
  return withScenarioErrors(io, () => {
    const loaded = loadScenarioForCli(ref, sets);
    const origin = `# ${loaded.name}: resolved from ${loaded.chain.join(' ← ')}${sets.length > 0 ? ` with --set ${sets.join(' --set ')}` : ''}\n`;
    io.stdout.write(
      origin +
        stringify(withUnits(withoutAbsentNginx(toPlain(loaded.scenario)), scenarioJsonSchema()), {
          lineWidth: 0,
          aliasDuplicateObjects: false,
        }),
    );
    return EXIT.ok;
  });
}

/**
 * The scenario-wide `nginx:` defaults left out when every backend is a bare app server
 * (`backends[].proxy: none`): there is no nginx to configure, and the loader refuses any written
 * `nginx:` key then (scenario/written-checks.ts), so showing them would not be valid input.
 */
function withoutAbsentNginx(plain: unknown): unknown {
  if (typeof plain !== 'object' || plain === null) return plain;
  const { backends } = plain as { backends?: unknown };
  const allBare = Array.isArray(backends) && backends.length > 0 && bareIndexes(backends).length === backends.length;
  if (!allBare) return plain;
  const shown: Record<string, unknown> = { ...(plain as Record<string, unknown>) };
  delete shown.nginx;
  return shown;
}

interface ShowArgs {
  scenario: string;
  set: string[] | undefined;
}

export const showCommand: CommandModule<object, ShowArgs> = {
  command: 'show <scenario>',
  describe: 'Print a scenario fully resolved (extends, overrides and defaults applied)',
  builder: (y) =>
    y
      .positional('scenario', { type: 'string', demandOption: true, describe: 'Scenario file or built-in name' })
      .option('set', setOption)
      .example('$0 show hard-cut', 'every setting of the built-in hard-cut scenario, defaults included')
      .example(
        '$0 show my.yaml --set backends.vm-a.nginx.keepalive_timeout=5s',
        'the scenario with one value overridden',
      ),
  handler: exitCodeHandler((args, io) => showScenario(args.scenario, args.set ?? [], io)),
};
