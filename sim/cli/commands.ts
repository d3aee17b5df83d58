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

/**
 * Each command's usage string and description as its module declares them (a test pins that they
 * match), so `--help`, no command or a mistyped one list the commands without loading any.
 */
const headers: Record<string, { command: string; describe: string }> = {
  run: {
    command: 'run <scenario>',
    describe: 'Simulate a scenario and write summary.json, timeline.csv, events.log and report.html',
  },
  check: {
    command: 'check <paths..>',
    describe: 'Run scenarios and their expect: assertions (CI); exit 1 if any fails',
  },
  compare: {
    command: 'compare <baseline> <candidate>',
    describe: 'Compare two summary.json files figure by figure; exit 1 if a change exceeds its tolerance',
  },
  report: {
    command: 'report <a> <b>',
    describe: 'Run two scenarios (a failure and its fix) and write their charts side by side on one page',
  },
  explain: {
    command: 'explain <scenario>',
    describe: 'Replay a scenario as a narrated story: each log line with what is happening and why',
  },
  sweep: {
    command: 'sweep <scenario>',
    describe: 'Run a scenario over a grid of parameter values × seeds, in parallel; write CSVs and charts',
  },
  merge: {
    command: 'merge <shards..>',
    describe: 'Combine the shard files of a sweep (sweep --shard i/n) into its outputs',
  },
  plan: { command: 'plan', describe: 'Capacity planning from closed forms and Monte Carlo (plan drain)' },
  fit: {
    command: 'fit <log>',
    describe:
      'Fit session lifetimes (lognormal, exponential, Pareto) from an HAProxy or nginx log or a CSV of durations',
  },
  import: {
    command: 'import <files..>',
    describe: 'Write a scenario from haproxy.cfg, nginx.conf and Kubernetes manifests (each value with its file:line)',
  },
  list: { command: 'list', describe: 'List the built-in scenarios' },
  show: {
    command: 'show <scenario>',
    describe: 'Print a scenario fully resolved (extends, overrides and defaults applied)',
  },
  validate: {
    command: 'validate <files..>',
    describe: 'Check scenario files (extends, overrides, schema) without running them',
  },
  schema: { command: 'schema', describe: 'Print the JSON Schema of scenario files' },
};

/** Command names in `--help` order. */
export function commandNames(): string[] {
  return Object.keys(loaders);
}

/** Every command's usage string and description, in `--help` order, without loading its module. */
export function commandHeaders(): { command: string; describe: string }[] {
  return Object.values(headers);
}

/**
 * Stand-ins that only list the commands: enough for yargs when the command line runs no command
 * (its top-level `--help`, no command, a mistyped command word), whose output names each command by
 * its usage string and description only. A stand-in's handler never runs there; it throws if it
 * ever did.
 */
function listingOnly(): AnyCommand[] {
  return commandHeaders().map(({ command, describe }) => ({
    command,
    describe,
    builder: {},
    handler: () => {
      throw new Error(`command '${command}' reached through its --help stand-in`);
    },
  }));
}

/** The top-level help flags a listing-only command line may consist of. */
const TOP_LEVEL_HELP = new Set(['--help', '-h']);

/** Every command module, in `--help` order. */
export function loadAllCommands(): Promise<AnyCommand[]> {
  return Promise.all(Object.values(loaders).map((load) => load()));
}

/**
 * The commands yargs needs for this command line: only the named one when the line starts with a
 * command name (`run hard-cut …`, the usual form); listing-only stand-ins when it runs no command
 * (nothing, `--help` alone, or a first word that is no command: yargs reports it with
 * recommendCommands); every module otherwise (options before the command word).
 */
export async function commandsFor(argv: readonly string[]): Promise<AnyCommand[]> {
  const first = argv[0];
  if (first === undefined) return listingOnly();
  const load = Object.hasOwn(loaders, first) ? loaders[first] : undefined;
  if (load) return [await load()];
  if (!first.startsWith('-') || (argv.length === 1 && TOP_LEVEL_HELP.has(first))) return listingOnly();
  return loadAllCommands();
}
