/**
 * The drainsim CLI as a function: `main(argv, io)` parses, runs one command and returns the exit
 * code, writing only to `io`. bin/drainsim.js calls it with the process's streams; tests call it
 * in-process.
 */
import type { CommandModule } from 'yargs';
import { ScenarioError } from '../scenario/errors.js';
import { packageVersion } from '../scenario/package-root.js';
import { commandNames, commandsFor } from './commands.js';
import { type CliContext, type CliIO, CONTEXT_KEY, EXIT } from './context.js';
import type { YargsFunction } from './load-yargs.js';
import { skipHelpCache } from './skip-help-cache.js';

/** A command line yargs rejected (unknown command or flag, missing argument). */
class UsageError extends Error {}

const HELP_WIDTH = 100;

function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, isTTY: process.stdout.isTTY === true };
}

function firstWord(argv: readonly string[]): string | undefined {
  return argv.find((a) => !a.startsWith('-'));
}

// biome-ignore lint/suspicious/noExplicitAny: each command has its own argument type.
type AnyCommand = CommandModule<object, any>;

// yargs is imported when a command line needs parsing: `--version` alone does not. Its help-text
// layout modules load only when help is laid out (load-yargs.ts).
async function buildParser(argv: readonly string[], io: CliIO, commands: AnyCommand[], factory: YargsSource) {
  const yargs = await factory();
  const parser = yargs();
  skipHelpCache(parser);
  return parser
    .scriptName('drainsim')
    .usage(
      '$0 <command> [options]\n\nDeterministic simulator of TCP, HTTP keepalive and WebSocket connections when a backend behind a load balancer is drained, removed or fails.',
    )
    .command(commands)
    .demandCommand(1, 'no command given')
    .strict()
    .strictCommands()
    .recommendCommands()
    .exitProcess(false)
    .fail((msg: string | undefined, err: Error | undefined) => {
      if (err instanceof ScenarioError) throw err;
      // recommendCommands replaces the message with its guess alone; say what was wrong first.
      if (msg?.startsWith('Did you mean')) throw new UsageError(`unknown command '${firstWord(argv)}'. ${msg}`);
      throw new UsageError(msg ?? err?.message ?? 'invalid command line');
    })
    .help()
    .alias('h', 'help')
    .version(packageVersion())
    .example('$0 list', 'the built-in scenarios')
    .example('$0 show hard-cut', 'a built-in scenario with every default filled in')
    .example('$0 validate my-scenario.yaml', 'check a scenario file without running it')
    .epilogue('Exit codes: 0 ok, 1 an expectation failed, 2 bad input or usage.')
    .wrap(io.isTTY ? Math.min(HELP_WIDTH, parser.terminalWidth()) : HELP_WIDTH);
}

function helpHint(argv: readonly string[]): string {
  const first = firstWord(argv);
  return first !== undefined && commandNames().includes(first) ? `drainsim ${first} --help` : 'drainsim --help';
}

/** Where the yargs function comes from (tests pass yargs' own entry to compare with load-yargs.ts). */
export type YargsSource = () => Promise<YargsFunction>;

const lazyYargs: YargsSource = async () => (await import('./load-yargs.js')).loadYargs();

/**
 * `commands` picks the command modules for a command line (tests pass `loadAllCommands` to compare
 * the listing-only stand-ins' output with the real modules').
 */
export async function main(
  argv: string[],
  io: CliIO = processIO(),
  commands: (argv: readonly string[]) => Promise<AnyCommand[]> = commandsFor,
  yargsSource: YargsSource = lazyYargs,
): Promise<number> {
  // The same text yargs' .version() prints, without loading yargs or any command.
  if (argv.length === 1 && argv[0] === '--version') {
    io.stdout.write(`${packageVersion()}\n`);
    return EXIT.ok;
  }
  const ctx: CliContext = { io, exitCode: EXIT.ok };
  let output = '';
  try {
    // The parse callback makes yargs hand back --help/--version text instead of printing it.
    await (await buildParser(argv, io, await commands(argv), yargsSource)).parseAsync(
      argv,
      { [CONTEXT_KEY]: ctx },
      (_err, _args, text) => {
        output = text;
      },
    );
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`drainsim: ${err.message}\nRun '${helpHint(argv)}' for usage.\n`);
      return EXIT.badInput;
    }
    if (err instanceof ScenarioError) {
      io.stderr.write(`${err.format()}\n`);
      return EXIT.badInput;
    }
    io.stderr.write(`drainsim: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.internalError;
  }
  if (output !== '') io.stdout.write(`${output}\n`);
  return ctx.exitCode;
}
