/**
 * Whole-number command-line options checked where they are parsed: `--seed abc` or
 * `--seed 99999999999999999999` is a usage error (exit 2) naming the option, not a NaN or an
 * inexact number deep inside a run. yargs hands a coerce error to main()'s fail handler.
 */
import type { Options } from 'yargs';
import { clip } from '../scenario/errors.js';
import { MAX_SEED } from '../scenario/limits.js';

const WHOLE = /^\s*\d+\s*$/;
const NUMBER = /^\s*\d+(?:\.\d+)?(?:e\d+)?\s*$/i;

function describeRange(min: number, max: number): string {
  return max === MAX_SEED ? `${min} … 2^53 − 1` : `${min} … ${max.toLocaleString('en-US')}`;
}

/** A whole number in [min, max]; `scientific` also accepts `1e6`. */
export function parseWholeOption(name: string, raw: unknown, min: number, max: number, scientific = false): number {
  const text = String(raw);
  const value = Number(text);
  const pattern = scientific ? NUMBER : WHOLE;
  if (!pattern.test(text) || !Number.isInteger(value) || value < min || value > max) {
    throw new Error(`--${name}: expected a whole number ${describeRange(min, max)}, found '${clip(text, 40)}'`);
  }
  return value;
}

/** yargs options for a bounded whole number (typed as string so yargs does not turn 'abc' into NaN first). */
export function wholeNumberOption(name: string, min: number, max: number, describe: string, scientific = false) {
  return {
    type: 'string' as const,
    describe,
    coerce: (raw: unknown) => {
      // A repeated option arrives as a list; the last one wins, as for yargs numbers.
      const last = Array.isArray(raw) ? raw.at(-1) : raw;
      return parseWholeOption(name, last, min, max, scientific);
    },
  } satisfies Options;
}

export function seedOptionFor(describe: string) {
  return wholeNumberOption('seed', 0, MAX_SEED, describe);
}
