/**
 * Every drainsim command, in the order `--help` lists them. Registered explicitly: yargs'
 * commandDir does not work under ESM.
 */
import type { CommandModule } from 'yargs';
import { checkCommand } from './check.js';
import { compareCommand } from './compare.js';
import { explainCommand } from './explain.js';
import { fitCommand } from './fit.js';
import { importCommand } from './import.js';
import { listCommand } from './list.js';
import { mergeCommand } from './merge.js';
import { planCommand } from './plan.js';
import { reportCommand } from './report.js';
import { runCommand } from './run.js';
import { schemaCommand } from './schema.js';
import { showCommand } from './show.js';
import { sweepCommand } from './sweep.js';
import { validateCommand } from './validate.js';

// Each module types its own arguments; the list only needs them to be commands.
// biome-ignore lint/suspicious/noExplicitAny: each command has its own argument type; yargs takes the list as is.
export const commands: readonly CommandModule<object, any>[] = [
  runCommand,
  checkCommand,
  compareCommand,
  reportCommand,
  explainCommand,
  sweepCommand,
  mergeCommand,
  planCommand,
  fitCommand,
  importCommand,
  listCommand,
  showCommand,
  validateCommand,
  schemaCommand,
];

/** The first word of each command's usage string: `validate <files..>` → `validate`. */
export function commandNames(): string[] {
  return commands.map((c) => String(c.command).split(' ')[0]);
}
