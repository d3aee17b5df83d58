/** `drainsim list`: the built-in scenarios, one per line, with the first sentence of their description. */
import type { CommandModule } from 'yargs';
import { ScenarioError } from '../scenario/errors.js';
import { builtinScenarioNames, readScenarioInput } from '../scenario/load.js';
import { defaultBuiltinDir, displayPath } from '../scenario/scenario-file.js';
import { firstSentence } from '../util/first-sentence.js';
import { type CliIO, EXIT, exitCodeHandler } from './context.js';

/** A scenario's own description: a variant does not borrow its base's, it says what it varies. */
function summaryOf(name: string, builtinDir: string): { text: string; broken: boolean } {
  try {
    const leaf = readScenarioInput(name, { builtinDir }).sources[0].data;
    const own = typeof leaf.description === 'string' ? firstSentence(leaf.description) : '';
    if (own !== '') return { text: own, broken: false };
    return { text: typeof leaf.extends === 'string' ? `(variant of ${leaf.extends})` : '', broken: false };
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    return { text: `(invalid: run 'drainsim validate ${name}')`, broken: true };
  }
}

export function listScenarios(io: CliIO, builtinDir: string = defaultBuiltinDir()): number {
  const names = builtinScenarioNames(builtinDir);
  if (names.length === 0) {
    io.stderr.write(`no built-in scenarios in ${displayPath(builtinDir)}\n`);
    return EXIT.ok;
  }
  const width = Math.max(...names.map((n) => n.length));
  let broken = false;
  for (const name of names) {
    const summary = summaryOf(name, builtinDir);
    broken ||= summary.broken;
    io.stdout.write(`${summary.text === '' ? name : `${name.padEnd(width)}  ${summary.text}`}\n`);
  }
  return broken ? EXIT.badInput : EXIT.ok;
}

export const listCommand: CommandModule<object, object> = {
  command: 'list',
  describe: 'List the built-in scenarios',
  builder: (y) => y.example('$0 list', 'names and one-line descriptions of the built-in scenarios'),
  handler: exitCodeHandler((_args, io) => listScenarios(io)),
};
