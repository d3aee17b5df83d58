/**
 * The options that bound what a scenario may make drainsim do: `--max-events` and `--max-memory`
 * (the work budget, scenario/work-budget.ts) and `--allow-outside` (which files `extends:` and
 * `empirical()` may read, scenario/input-file.ts). Shared by run, explain, check and validate.
 */
import type { Argv } from 'yargs';
import { DEFAULT_MAX_BYTES, DEFAULT_MAX_EVENTS, type WorkLimits } from '../scenario/work-budget.js';
import { wholeNumberOption } from './number-options.js';

export interface LimitArgs {
  'max-events'?: number;
  'max-memory'?: number;
  'allow-outside'?: boolean;
}

const MB = 1024 ** 2;

export function withLimitOptions<T>(y: Argv<T>) {
  return y
    .option(
      'max-events',
      wholeNumberOption(
        'max-events',
        1,
        1e12,
        `Refuse (before) or stop (during) a run of more engine events than this (default ${DEFAULT_MAX_EVENTS.toExponential(0).replace('e+', 'e')})`,
        true,
      ),
    )
    .option(
      'max-memory',
      wholeNumberOption(
        'max-memory',
        64,
        1_000_000,
        `Refuse or stop a run that needs more memory than this many MB (default ${DEFAULT_MAX_BYTES / MB})`,
        true,
      ),
    )
    .option('allow-outside', {
      type: 'boolean' as const,
      describe:
        "Let extends: and empirical() read files outside the scenario's folder, the working directory and the built-in scenarios",
    });
}

export function limitsOf(args: LimitArgs): WorkLimits {
  return {
    maxEvents: args['max-events'] ?? DEFAULT_MAX_EVENTS,
    maxBytes: (args['max-memory'] ?? DEFAULT_MAX_BYTES / MB) * MB,
  };
}
