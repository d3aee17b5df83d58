/**
 * Every drainsim command, in the order `--help` lists them, each behind its own dynamic import:
 * a command line that names its command loads that command's module (and what it imports) only,
 * so `drainsim run` does not load the sweep, plan, fit or compare machinery. Registered
 * explicitly: yargs' commandDir does not work under ESM.
 */
import type { CommandModule } from 'yargs';

// Each module types its own arguments; the list only needs them to be commands.
// biome-ignore lint/suspicious/noExplicitAny: each command has its own argument type; yargs takes the list as is.
type AnyCommand = CommandModule<object, any>;

/** By the first word of each command's usage string (`validate <files..>` → `validate`). */
const loaders: Record<string, () => Promise<AnyCommand>> = {
  run: async () => (await import('./run.js')).runCommand,
  check: async () => (await import('./check.js')).checkCommand,
  compare: async () => (await import('./compare.js')).compareCommand,
  report: async () => (await import('./report.js')).reportCommand,
  explain: async () => (await import('./explain.js')).explainCommand,
  sweep: async () => (await import('./sweep.js')).sweepCommand,
  merge: async () => (await import('./merge.js')).mergeCommand,
  plan: async () => (await import('./plan.js')).planCommand,
  fit: async () => (await import('./fit.js')).fitCommand,
  import: async () => (await import('./import.js')).importCommand,
  list: async () => (await import('./list.js')).listCommand,
  show: async () => (await import('./show.js')).showCommand,
  validate: async () => (await import('./validate.js')).validateCommand,
  schema: async () => (await import('./schema.js')).schemaCommand,
};

/** Command names in `--help` order. */
export function commandNames(): string[] {
  return Object.keys(loaders);
}

/** Every command module, in `--help` order. */
export function loadAllCommands(): Promise<AnyCommand[]> {
  return Promise.all(Object.values(loaders).map((load) => load()));
}

/**
 * The commands yargs needs for this command line: only the named one when the line starts with a
 * command name (`run hard-cut …`, the usual form), else all of them (`--help`, `--version`, a
 * mistyped command for recommendCommands, options before the command word).
 */
export async function commandsFor(argv: readonly string[]): Promise<AnyCommand[]> {
  const first = argv[0];
  const load = first !== undefined && Object.hasOwn(loaders, first) ? loaders[first] : undefined;
  return load ? [await load()] : loadAllCommands();
}
