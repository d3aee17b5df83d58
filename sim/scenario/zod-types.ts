/**
 * Zod 4 schemas for the scenario value types: durations, distributions, percentages.
 *
 * Each one validates with the same parser the rest of drainsim uses (units.ts, distribution.ts)
 * and turns that parser's error into a zod issue, so the scenario loader reports every bad value
 * with its path instead of stopping at the first exception. The input side is a plain string
 * with a `pattern` where one exists, so the JSON Schema generated with `{ io: 'input' }` lets
 * editors check values before drainsim runs.
 *
 * Note for schema authors: in zod 4 `.default(x)` returns x as the *output* without parsing it;
 * write `.prefault('75s')` so a default duration goes through the parser like a written one.
 */
import { z } from 'zod';
import { type Distribution, parseDistribution } from './distribution.js';
import { MAX_DURATION_S } from './limits.js';
import {
  DURATION_PATTERN,
  formatDuration,
  PERCENT_PATTERN,
  parseDuration,
  parsePercent,
  UnitError,
  unitlessDurationError,
} from './units.js';
import { ValueError } from './value-error.js';

type Issue = { input?: unknown };

/** The message of the error `parse` throws on `input`, or `fallback` when it does not throw. */
function messageOf(parse: () => unknown, fallback: string): string {
  try {
    parse();
  } catch (e) {
    if (e instanceof ValueError) return e.message;
    throw e;
  }
  return fallback;
}

function describeFound(input: unknown): string {
  return input === undefined ? 'nothing' : `${typeof input} ${JSON.stringify(input)}`;
}

/** Runs a parser inside a transform, turning its error into a zod issue with expected/found. */
function parsedOrIssue<I, O>(parse: (input: I) => O) {
  return (input: I, ctx: z.core.$RefinementCtx<I>): O => {
    try {
      return parse(input);
    } catch (e) {
      if (!(e instanceof ValueError)) throw e;
      ctx.addIssue({ code: 'custom', message: e.message, input, params: { expected: e.expected, found: e.found } });
      return z.NEVER;
    }
  };
}

const DURATION_HELP = 'us, ms, s, m, h or d; terms may combine, e.g. 1h30m. A bare number is rejected';

function durationTypeError(iss: Issue): string {
  if (typeof iss.input === 'number') return unitlessDurationError(iss.input).message;
  return `expected a duration with a unit such as 30s, found ${describeFound(iss.input)}`;
}

const durationText = z.string({ error: durationTypeError }).regex(new RegExp(DURATION_PATTERN), {
  error: (iss) => messageOf(() => parseDuration(String(iss.input)), `cannot read duration '${String(iss.input)}'`),
});

/** parseDuration, refusing more than MAX_DURATION_S (a typo such as `100000000000d`, or a run that never ends). */
export function parseBoundedDuration(text: string): number {
  const seconds = parseDuration(text);
  if (seconds > MAX_DURATION_S) {
    const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text.trim();
    throw new UnitError(
      `duration '${shown}' is longer than ${formatDuration(MAX_DURATION_S)}, the longest a scenario may state`,
      `a duration of at most ${formatDuration(MAX_DURATION_S)}`,
      `'${shown}'`,
    );
  }
  return seconds;
}

/** A duration with a unit (`500ms`, `30s`, `1h30m`), parsed to seconds, at most 365 days. */
export const zDuration = durationText
  .transform(parsedOrIssue(parseBoundedDuration))
  .meta({ description: `A duration with a unit: ${DURATION_HELP}.`, examples: ['500ms', '30s', '5m', '1h30m'] });

/** The issue for a duration below a setting's minimum; `why` says where the minimum comes from. */
function belowMinimum(min: number, why: string) {
  return (seconds: number, ctx: z.core.$RefinementCtx<number>): void => {
    if (seconds >= min) return;
    ctx.addIssue({
      code: 'custom',
      message: `${formatDuration(seconds)} is below the minimum of ${formatDuration(min)}: ${why}`,
      input: seconds,
      params: { expected: `a duration of at least ${formatDuration(min)}` },
    });
  };
}

/** A duration of at least `min` seconds. */
export function zDurationAtLeast(min: number, why: string) {
  return zDuration.superRefine(belowMinimum(min, why)).meta({
    description: `A duration with a unit, at least ${formatDuration(min)}: ${DURATION_HELP}.`,
    examples: ['500ms', '30s', '5m'],
  });
}

const INFINITE_WORDS = /^\s*(?:infinite|none|0)\s*$/;
const INFINITE_HELP = "'infinite', 'none' or 0 mean no timeout at all (note: '0s' is a zero duration, not infinite)";

function noTimeoutNumberError(iss: Issue): string {
  return `${unitlessDurationError(Number(iss.input)).message} (or ${INFINITE_HELP})`;
}

/**
 * A duration, or `infinite` / `none` / `0` for "no timeout" (→ Infinity), as real systems write
 * a disabled timeout (HAProxy, nginx and Linux all use 0 for it in some setting).
 */
export const zDurationOrInfinite = z
  .union(
    [
      // A number branch bounded to 0, not z.literal(0): a bare 30 then fails this branch's own
      // check (with the unit-less message) rather than failing on kind in every branch.
      z.number().min(0, { error: noTimeoutNumberError }).max(0, { error: noTimeoutNumberError }),
      z.string({ error: durationTypeError }).regex(new RegExp(`${INFINITE_WORDS.source}|${DURATION_PATTERN}`), {
        error: (iss) =>
          `${messageOf(() => parseDuration(String(iss.input)), `cannot read duration '${String(iss.input)}'`)} (or ${INFINITE_HELP})`,
      }),
    ],
    { error: (iss) => `${durationTypeError(iss)} (or ${INFINITE_HELP})` },
  )
  .transform(
    parsedOrIssue((value: string | number) =>
      typeof value === 'number' || INFINITE_WORDS.test(value) ? Infinity : parseBoundedDuration(value),
    ),
  )
  .meta({
    description: `A duration with a unit (${DURATION_HELP}), or no timeout: ${INFINITE_HELP}.`,
    examples: ['30s', '1h', 'infinite'],
  });

/** A duration of at least `min`, or no timeout at all (`infinite`, `none`, `0`). */
export function zDurationOrInfiniteAtLeast(min: number, why: string) {
  return zDurationOrInfinite.superRefine(belowMinimum(min, why)).meta({
    description: `A duration with a unit, at least ${formatDuration(min)} (${DURATION_HELP}), or no timeout: ${INFINITE_HELP}.`,
    examples: ['30s', '1h', 'infinite'],
  });
}

/** The directory `empirical(file.csv)` paths resolve against while a scenario is parsed. */
let distributionBaseDir: string | undefined;

/**
 * Runs `fn` (which parses a scenario) with empirical-file paths resolved against `dir`, usually
 * the scenario file's directory. Parsing is synchronous, so a module-level setting is enough;
 * the previous one is restored afterwards, so nested calls work.
 */
export function withDistributionBaseDir<T>(dir: string, fn: () => T): T {
  const previous = distributionBaseDir;
  distributionBaseDir = dir;
  try {
    return fn();
  } finally {
    distributionBaseDir = previous;
  }
}

const DISTRIBUTION_HELP = {
  duration:
    'const(5s), uniform(1s, 3s), exp(mean=2s) or exp(rate=0.5) per second, lognormal(median=30m, p99=6h), ' +
    'normal(mean=30s, sd=5s) (truncated at 0), pareto(scale=1s, shape=1.5), ' +
    'empirical(file.csv) (path relative to the scenario file), mix(0.8 exp(mean=2s), 0.2 const(30s))',
  number:
    'const(5), uniform(1, 3), exp(mean=2) or exp(rate=0.5), lognormal(median=30, p99=600), ' +
    'normal(mean=30, sd=5) (truncated at 0), pareto(scale=1, shape=1.5), ' +
    'empirical(file.csv) (path relative to the scenario file), mix(0.8 exp(mean=2), 0.2 const(30))',
};

/**
 * A distribution written as text, parsed to a Distribution. A bare value such as `30s` means
 * `const(30s)`. With unit 'number' the arguments are plain numbers and a bare JSON number is
 * accepted as a constant.
 */
export function zDistribution(unit: 'duration' | 'number' = 'duration') {
  const typeError = (iss: Issue): string =>
    typeof iss.input === 'number' && unit === 'duration'
      ? `${unitlessDurationError(iss.input).message}, or write a distribution such as exp(mean=${iss.input}s)`
      : `expected a distribution such as exp(mean=2s) or a ${unit === 'duration' ? 'duration such as 30s' : 'number'}, found ${describeFound(iss.input)}`;
  const text = z.string({ error: typeError });
  const input = unit === 'number' ? z.union([z.number(), text], { error: typeError }) : text;
  const argumentKind = unit === 'duration' ? 'durations with units' : 'plain numbers';
  return input
    .transform(
      parsedOrIssue(
        (value: string | number): Distribution =>
          parseDistribution(String(value), { unit, baseDir: distributionBaseDir }),
      ),
    )
    .meta({
      description: `A probability distribution (arguments are ${argumentKind}; shape parameters are plain numbers): ${DISTRIBUTION_HELP[unit]}. A bare value means a constant.`,
      examples:
        unit === 'duration'
          ? ['exp(mean=2s)', 'lognormal(median=30m, p99=6h)', '30s']
          : ['exp(mean=20)', 'uniform(1, 3)', '5'],
    });
}

/** A percentage, `'99.9%'`, or a fraction between 0 and 1, parsed to a fraction. */
export const zPercent = z
  .union(
    [
      z
        .number()
        .min(0, { error: (iss) => messageOf(() => parsePercent(Number(iss.input)), 'percentage below 0') })
        .max(1, { error: (iss) => messageOf(() => parsePercent(Number(iss.input)), 'percentage above 100%') }),
      z.string().regex(new RegExp(PERCENT_PATTERN), {
        error: (iss) => messageOf(() => parsePercent(String(iss.input)), 'bad percentage'),
      }),
    ],
    {
      error: (iss) =>
        `expected a percentage such as '99.9%' or a fraction between 0 and 1, found ${describeFound(iss.input)}`,
    },
  )
  .transform(parsedOrIssue(parsePercent))
  .meta({
    description: "A percentage such as '99.9%', or a fraction between 0 and 1 such as 0.999.",
    examples: ['99.9%', 0.999],
  });
