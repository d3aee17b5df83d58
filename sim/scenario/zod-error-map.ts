/**
 * Messages for zod's built-in checks, phrased for someone editing a YAML file ("expected a
 * duration…", "expected one of 'a', 'b'"). Passed per parse, so a message the schema itself sets
 * (zDuration's "expected a duration with a unit") still wins, and custom issues keep theirs.
 * The offending value is not part of the message: the issue formatter appends `found …`.
 */
import type { z } from 'zod';

const TYPE_NAMES: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  null: 'null',
  bigint: 'an integer',
  date: 'a date',
  tuple: 'a list',
  record: 'a mapping',
  map: 'a mapping',
  set: 'a list',
};

export function describeType(expected: string): string {
  return TYPE_NAMES[expected] ?? expected;
}

export function describeValue(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}

const SIZE_UNITS: Record<string, string> = {
  string: 'characters',
  array: 'items',
  set: 'items',
  map: 'entries',
  file: 'bytes',
};

function describeBound(
  origin: string,
  bound: number | bigint,
  exact: boolean | undefined,
  inclusive: boolean | undefined,
  lower: boolean,
): string {
  const unit = SIZE_UNITS[origin];
  if (unit !== undefined) {
    const quantifier = exact
      ? 'exactly'
      : lower
        ? inclusive
          ? 'at least'
          : 'more than'
        : inclusive
          ? 'at most'
          : 'fewer than';
    return `expected ${quantifier} ${bound} ${unit}`;
  }
  const op = exact ? '=' : lower ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<';
  return `expected ${describeType(origin)} ${op} ${bound}`;
}

interface FormatIssue {
  format: string;
  pattern?: string;
  prefix?: string;
  suffix?: string;
  includes?: string;
}

function describeFormat(issue: FormatIssue): string {
  switch (issue.format) {
    case 'regex':
      return `expected a string matching ${issue.pattern}`;
    case 'starts_with':
      return `expected a string starting with '${issue.prefix}'`;
    case 'ends_with':
      return `expected a string ending with '${issue.suffix}'`;
    case 'includes':
      return `expected a string containing '${issue.includes}'`;
    default:
      return `expected a valid ${issue.format}`;
  }
}

export const scenarioErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? `required key is missing (expected ${describeType(issue.expected)})`
        : `expected ${describeType(issue.expected)}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `expected ${describeValue(issue.values[0])}`
        : `expected one of ${issue.values.map(describeValue).join(', ')}`;
    case 'too_small':
      return describeBound(issue.origin, issue.minimum, issue.exact, issue.inclusive, true);
    case 'too_big':
      return describeBound(issue.origin, issue.maximum, issue.exact, issue.inclusive, false);
    case 'not_multiple_of':
      return `expected a multiple of ${issue.divisor}`;
    case 'invalid_format':
      return describeFormat(issue as unknown as FormatIssue);
    case 'unrecognized_keys':
      return 'unknown key';
    case 'invalid_union':
      if ('options' in issue && Array.isArray(issue.options) && issue.options.length > 0) {
        return `expected one of ${issue.options.map(describeValue).join(', ')}`;
      }
      return undefined;
    default:
      return undefined;
  }
};
