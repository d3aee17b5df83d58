import { nearest } from '../nearest.js';
import { formatDuration, parseDuration, UnitError } from '../units.js';
import { DistributionError } from './errors.js';
import type { ParseContext } from './types.js';

/** Which arguments a family takes. */
export interface ArgumentSpec {
  readonly family: string;
  /** Shown when arguments are missing or wrong, e.g. `uniform(1s, 3s)`. */
  readonly usage: string;
  /** Accepted names, in the order positional (unnamed) arguments fill them. */
  readonly names: readonly string[];
  /** How many leading `names` may be given without `name=`. */
  readonly positional?: number;
  /** Other spellings of a name, e.g. `{ xm: 'scale' }`. */
  readonly aliases?: Readonly<Record<string, string>>;
}

const NAMED = /^([A-Za-z_][\w-]*)\s*=\s*([\s\S]*)$/;
const PLAIN_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A family's arguments by canonical name, with readers that throw precise DistributionErrors. */
export class Arguments {
  private constructor(
    private readonly spec: ArgumentSpec,
    private readonly values: ReadonlyMap<string, string>,
    private readonly context: ParseContext,
  ) {}

  static read(args: readonly string[], spec: ArgumentSpec, context: ParseContext): Arguments {
    const values = new Map<string, string>();
    const positional = spec.positional ?? 0;
    args.forEach((arg, i) => {
      const m = NAMED.exec(arg);
      let name: string;
      let value: string;
      if (m === null) {
        if (i >= positional) {
          const hint =
            positional === 0
              ? `name it (${spec.names.map((n) => `${n}=`).join(', ')})`
              : `at most ${positional} unnamed`;
          throw new DistributionError(
            `${spec.family}: argument '${arg}' needs a name: ${hint}; usage: ${spec.usage}`,
            spec.usage,
            `'${arg}'`,
          );
        }
        name = spec.names[i]!;
        value = arg;
      } else {
        const given = m[1]!.toLowerCase();
        const canonical = spec.aliases?.[given] ?? given;
        if (!spec.names.includes(canonical)) {
          const near = nearest(given, [...spec.names, ...Object.keys(spec.aliases ?? {})]);
          const hint = near === undefined ? '' : ` (did you mean '${near}'?)`;
          throw new DistributionError(
            `${spec.family}: unknown argument '${m[1]}'${hint}; expected ${spec.names.join(', ')}; usage: ${spec.usage}`,
            `one of ${spec.names.join(', ')}`,
            `'${m[1]}'`,
          );
        }
        name = canonical;
        value = m[2]!.trim();
      }
      if (values.has(name)) {
        throw new DistributionError(`${spec.family}: argument '${name}' is given twice`, spec.usage, `'${arg}'`);
      }
      values.set(name, value);
    });
    return new Arguments(spec, values, context);
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  /** The raw text of a required argument. */
  text(name: string): string {
    const value = this.values.get(name);
    if (value === undefined) {
      throw new DistributionError(
        `${this.spec.family}: missing argument '${name}'; usage: ${this.spec.usage}`,
        this.spec.usage,
        `${this.spec.family}(${[...this.values].map(([k, v]) => `${k}=${v}`).join(', ')})`,
      );
    }
    return value;
  }

  /** A duration (or a plain number when the context's unit is 'number'), at least 0. */
  quantity(name: string, options: { positive?: boolean } = {}): number {
    return readQuantity(this.text(name), this.context.unit, `${this.spec.family} ${name}`, options.positive ?? false);
  }

  /** A shape parameter: always a plain number, greater than 0. */
  shape(name: string): number {
    const text = this.text(name);
    const label = `${this.spec.family} ${name}`;
    if (!PLAIN_NUMBER.test(text)) {
      throw new DistributionError(
        `${label} '${text}' must be a plain number (it has no unit)`,
        'a plain number such as 1.5',
        `'${text}'`,
      );
    }
    const value = Number(text);
    if (!(value > 0) || !Number.isFinite(value)) {
      throw new DistributionError(`${label} must be greater than 0, found ${text}`, 'a number greater than 0', text);
    }
    return value;
  }

  /** Fails unless the given arguments are exactly one of the allowed combinations. */
  requireOneOf(combinations: readonly (readonly string[])[]): readonly string[] {
    const given = [...this.values.keys()];
    const match = combinations.find((c) => c.length === given.length && c.every((n) => this.values.has(n)));
    if (match !== undefined) return match;
    const options = combinations.map((c) => c.join(' and ')).join(', or ');
    throw new DistributionError(
      `${this.spec.family}: give ${options}; found ${given.length === 0 ? 'no arguments' : given.join(', ')}; usage: ${this.spec.usage}`,
      this.spec.usage,
      given.length === 0 ? 'no arguments' : given.join(', '),
    );
  }
}

/**
 * Reads one quantity: a duration with a unit, or a plain number when unit is 'number'.
 * `label` (e.g. `exp mean`) prefixes messages; an empty label leaves the value to speak alone.
 */
export function readQuantity(text: string, unit: 'duration' | 'number', label: string, positive = false): number {
  let value: number;
  if (unit === 'duration') {
    try {
      value = parseDuration(text);
    } catch (e) {
      if (e instanceof UnitError)
        throw new DistributionError(`${label === '' ? '' : `${label}: `}${e.message}`, e.expected, e.found);
      throw e;
    }
  } else {
    if (!PLAIN_NUMBER.test(text)) {
      throw new DistributionError(
        `${label === '' ? '' : `${label} `}'${text}' must be a plain number`,
        'a plain number such as 5',
        `'${text}'`,
      );
    }
    value = Number(text);
    if (!Number.isFinite(value))
      throw new DistributionError(`${label || 'value'} '${text}' is too large`, 'a finite number', text);
    if (value < 0)
      throw new DistributionError(
        `${label || 'value'} must be 0 or more, found ${text}`,
        'a number of 0 or more',
        text,
      );
  }
  if (positive && value === 0) {
    throw new DistributionError(
      `${label || 'value'} must be greater than 0, found ${text}`,
      'a value greater than 0',
      text,
    );
  }
  return value;
}

/** Writes a quantity back the way `readQuantity` reads it, preferring the compact human form. */
export function formatQuantity(value: number, unit: 'duration' | 'number'): string {
  if (unit === 'number') return String(value);
  const human = formatDuration(value).replace(/ /g, '');
  return parsesBackTo(human, value) ? human : `${value}s`;
}

function parsesBackTo(text: string, value: number): boolean {
  try {
    return parseDuration(text) === value;
  } catch {
    return false;
  }
}
