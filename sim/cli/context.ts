/**
 * What a command handler gets besides its arguments: where to write, and where to leave its exit
 * code. main() passes this through yargs' parse context, so handlers stay plain functions of
 * (arguments, io) and tests run the whole CLI in-process.
 */
import { shouldColor } from '../../reports/should-color.js';
import { ScenarioError } from '../scenario/errors.js';

export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Whether stdout is a terminal (progress and colour only then). */
  isTTY?: boolean;
}

/** The CLI's exit codes, as the README documents them. */
export const EXIT = {
  ok: 0,
  /** A scenario's `expect:` assertion failed. */
  expectationFailed: 1,
  /** Bad input or usage: unknown command or flag, invalid scenario. */
  badInput: 2,
  /** A defect in drainsim itself (an unexpected exception). */
  internalError: 3,
} as const;

export interface CliContext {
  io: CliIO;
  exitCode: number;
}

/** The argv key main() stores the context under (yargs merges the parse context into argv). */
export const CONTEXT_KEY = '__drainsimContext';

export function contextOf(argv: object): CliContext {
  const ctx = (argv as Record<string, unknown>)[CONTEXT_KEY];
  if (ctx === undefined) throw new Error('command run outside main(): no CLI context');
  return ctx as CliContext;
}

/**
 * A yargs handler from a plain function returning an exit code: `handler: exitCodeHandler((a, io) => …)`.
 */
export function exitCodeHandler<A>(run: (args: A, io: CliIO) => number | Promise<number>): (args: A) => Promise<void> {
  return async (args) => {
    const ctx = contextOf(args as object);
    ctx.exitCode = await run(args, ctx.io);
  };
}

/** Runs `body`; a ScenarioError is printed (one line per issue) and becomes exit code 2. */
export async function withScenarioErrors(io: CliIO, body: () => number | Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    io.stderr.write(`${err.format()}\n`);
    return EXIT.badInput;
  }
}

/** Colour for this output: a terminal, and NO_COLOR unset. */
export function colorFor(io: CliIO): boolean {
  return shouldColor({ isTTY: io.isTTY }, process.env);
}
