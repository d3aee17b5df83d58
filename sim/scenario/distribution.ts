/**
 * Distributions as data: scenario text such as `exp(mean=2s)`, `lognormal(median=30m, p99=6h)`,
 * `uniform(1s, 3s)`, `empirical(file.csv)` or `mix(0.8 exp(mean=2s), 0.2 const(30s))` becomes
 * a Distribution with exact mean, quantile and CDF. Each family lives in `distributions/`.
 */
import { formatQuantity, readQuantity } from './distributions/arguments.js';
import { Constant } from './distributions/constant.js';
import { DistributionError } from './distributions/errors.js';
import { FAMILIES, FAMILY_BY_NAME } from './distributions/families.js';
import { EXPECTED_DISTRIBUTION, readCall } from './distributions/spec-syntax.js';
import type { Distribution, ParseContext } from './distributions/types.js';
import { nearest } from './nearest.js';

export { DistributionError } from './distributions/errors.js';
export type { Distribution } from './distributions/types.js';

export interface ParseDistributionOptions {
  /** Directory `empirical(...)` file paths are relative to; defaults to the working directory. */
  baseDir?: string;
  /** Whether arguments are durations with units (the default) or plain numbers. */
  unit?: 'duration' | 'number';
}

const FAMILY_LIST = FAMILIES.map((f) => f.name).join(', ');

/**
 * Parses a distribution. A bare quantity (`30s`, or `5` when unit is 'number') means `const(…)`.
 * Throws DistributionError naming what was wrong.
 */
export function parseDistribution(text: string, options: ParseDistributionOptions = {}): Distribution {
  const context: ParseContext = {
    unit: options.unit ?? 'duration',
    baseDir: options.baseDir ?? process.cwd(),
    parse: (nested) => parseIn(nested, context),
  };
  return parseIn(text, context);
}

function parseIn(text: string, context: ParseContext): Distribution {
  if (typeof text !== 'string') {
    throw new DistributionError(`not a distribution: ${JSON.stringify(text)}`, EXPECTED_DISTRIBUTION, String(text));
  }
  const trimmed = text.trim();
  if (trimmed === '')
    throw new DistributionError(`empty distribution: expected ${EXPECTED_DISTRIBUTION}`, EXPECTED_DISTRIBUTION, "''");

  const call = readCall(trimmed);
  if (call === undefined) {
    if (/^[+\-.\d]/.test(trimmed)) {
      const value = readQuantity(trimmed, context.unit, '');
      return new Constant(`const(${formatQuantity(value, context.unit)})`, value);
    }
    const family = /^[A-Za-z_][\w-]*$/.test(trimmed) ? FAMILY_BY_NAME.get(trimmed.toLowerCase()) : undefined;
    if (family !== undefined) {
      throw new DistributionError(`'${trimmed}' needs its arguments: ${family.usage}`, family.usage, `'${trimmed}'`);
    }
    throw unknownFamily(trimmed.split(/[\s(]/)[0]!, trimmed);
  }

  const family = FAMILY_BY_NAME.get(call.family.toLowerCase());
  if (family === undefined) throw unknownFamily(call.family, trimmed);
  return family.build(call.args, context);
}

function unknownFamily(name: string, text: string): DistributionError {
  const near = nearest(name, FAMILY_BY_NAME.keys());
  const suggestion = near === undefined ? '' : ` (did you mean '${FAMILY_BY_NAME.get(near)!.name}'?)`;
  return new DistributionError(
    `unknown distribution '${name}' in '${text}'${suggestion}: expected one of ${FAMILY_LIST}, or a duration such as 30s`,
    `one of ${FAMILY_LIST}`,
    `'${name}'`,
  );
}
