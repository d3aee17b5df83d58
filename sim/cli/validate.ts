/** `drainsim validate <files…>`: check scenario files without running them; writes nothing. */
import type { CommandModule } from 'yargs';
import { colorize } from '../../reports/colorize.js';
import { ScenarioError } from '../scenario/errors.js';
import { type CliIO, colorFor, EXIT, exitCodeHandler } from './context.js';
import { type LimitArgs, withLimitOptions } from './limit-options.js';
import { setOption } from './set-option.js';
import { loadForRun, printWarnings } from './simulate.js';

export function validateScenarios(
  refs: readonly string[],
  sets: readonly string[],
  io: CliIO,
  limitArgs: LimitArgs = {},
): number {
  const color = colorFor(io);
  let failed = 0;
  for (const ref of refs) {
    try {
      // Everything `run` would refuse before simulating: the schema, the files, the work budget.
      const { loaded } = loadForRun({ scenario: ref, set: [...sets], ...limitArgs });
      io.stdout.write(`${colorize('OK', 'ok', color)} ${loaded.file} (${loaded.name})\n`);
      printWarnings(io, loaded.warnings);
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw err;
      failed++;
      io.stderr.write(`${err.format()}\n`);
    }
  }
  if (failed > 0 && refs.length > 1) io.stderr.write(`${failed} of ${refs.length} scenarios are invalid\n`);
  return failed > 0 ? EXIT.badInput : EXIT.ok;
}

interface ValidateArgs extends LimitArgs {
  files: string[];
  set: string[] | undefined;
}

export const validateCommand: CommandModule<object, ValidateArgs> = {
  command: 'validate <files..>',
  describe: 'Check scenario files (extends, overrides, schema) without running them',
  builder: (y) =>
    withLimitOptions(y)
      .positional('files', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'Scenario files or built-in names',
      })
      .option('set', setOption)
      .example('$0 validate scenarios/*.yaml', 'check every built-in scenario; exit 2 if any is invalid')
      .example('$0 validate my.yaml --set horizon=10m', 'check a file with an override applied'),
  handler: exitCodeHandler((args, io) => validateScenarios(args.files, args.set ?? [], io, args)),
};
