/**
 * `drainsim explain <scenario>`: run a scenario and tell what happened, phase by phase, with the
 * log lines operators see and a plain-language note under each (sim/explain/).
 */
import type { CommandModule } from 'yargs';
import { narrate } from '../explain/narrate.js';
import { type CliIO, colorFor, exitCodeHandler, withScenarioErrors } from './context.js';
import { type LimitArgs, withLimitOptions } from './limit-options.js';
import { scenarioPositional, seedOption, setOption } from './set-option.js';
import { expectationsExitCode, simulateForCli } from './simulate.js';

export interface ExplainArgs extends LimitArgs {
  scenario: string;
  seed?: number;
  set?: string[];
}

/** Prose reads best in short lines, even on a wide terminal. */
const MAX_WIDTH = 100;

export function explainCommandLine(args: ExplainArgs, io: CliIO): Promise<number> {
  return withScenarioErrors(io, () => {
    const { scenario, result } = simulateForCli(args, io, 'explain');
    const columns = io.isTTY ? (io.stdout as { columns?: number }).columns : undefined;
    const width = Math.max(60, Math.min(MAX_WIDTH, columns ?? MAX_WIDTH));
    io.stdout.write(narrate(result, { ...scenario, seed: result.seed }, { color: colorFor(io), width }));
    return expectationsExitCode(result);
  });
}

export const explainCommand: CommandModule<object, ExplainArgs> = {
  command: 'explain <scenario>',
  describe: 'Replay a scenario as a narrated story: each log line with what is happening and why',
  builder: (y) =>
    withLimitOptions(y)
      .positional('scenario', scenarioPositional)
      .option('seed', seedOption)
      .option('set', setOption)
      .example('$0 explain hard-cut', 'why removing a backend without drain resets ~1800 connections')
      .example('$0 explain ws-stall', 'why a drain gate waits forever for WebSocket sessions')
      .example(
        '$0 explain hard-cut --set lb.remove_resets_flows=false',
        'the same cut on an LB that keeps existing flows',
      ),
  handler: exitCodeHandler((args, io) => explainCommandLine(args, io)),
};
