/**
 * Every drainsim command, in the order `--help` lists them. Registered explicitly: yargs'
 * commandDir does not work under ESM.
 */
import type { CommandModule } from 'yargs';
import { listCommand } from './list.js';
import { schemaCommand } from './schema.js';
import { showCommand } from './show.js';
import { validateCommand } from './validate.js';
import { runCommand } from './run.js';
import { checkCommand } from './check.js';
import { compareCommand } from './compare.js';
import { explainCommand } from './explain.js';
import { sweepCommand } from './sweep.js';
import { mergeCommand } from './merge.js';
import { planCommand } from './plan.js';
import { fitCommand } from './fit.js';

// Each module types its own arguments; the list only needs them to be commands.
export const commands: readonly CommandModule<object, any>[] = [
  runCommand,
  checkCommand,
  compareCommand,
  explainCommand,
  sweepCommand,
  mergeCommand,
  planCommand,
  fitCommand,
  listCommand,
  showCommand,
  validateCommand,
  schemaCommand,
];

/** The first word of each command's usage string: `validate <files..>` → `validate`. */
export function commandNames(): string[] {
  return commands.map((c) => String(c.command).split(' ')[0]);
}
