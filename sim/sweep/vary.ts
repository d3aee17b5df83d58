/**
 * `--vary path=v1,v2,…` and `--vary path=a..b:step`. List values are split at top-level commas,
 * so `exp(mean=2s)` and `uniform(1s, 3s)` stay whole; a range's bounds and step are plain numbers
 * or all durations with units (`5m..30m:5m`).
 */
import { formatQuantity } from '../scenario/distributions/arguments.js';
import { parseDuration, UnitError } from '../scenario/units.js';
import { SweepError } from './errors.js';
import type { Variation } from './types.js';

/** More points than this in one range is almost certainly a wrong step. */
const MAX_RANGE_POINTS = 10_000;
const PLAIN_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const RANGE = /^([^,()[\]{}]*?)\.\.([^,()[\]{}:]*)(?::([^,()[\]{}]*))?$/;

export function parseVary(text: string): Variation {
  const eq = text.indexOf('=');
  const path = eq < 0 ? '' : text.slice(0, eq).trim();
  if (path === '')
    throw new SweepError(`--vary ${text}: expected path=v1,v2,… or path=a..b:step, e.g. app.ws.session_ttl=5m..30m:5m`);
  if (path === 'seed')
    throw new SweepError(`--vary ${text}: seeds are not a parameter; use --seeds N (every point runs the same seeds)`);
  const valueText = text.slice(eq + 1).trim();
  const range = RANGE.exec(valueText);
  const values = range
    ? expandRange(text, range[1]!.trim(), range[2]!.trim(), range[3]?.trim())
    : splitTopLevel(valueText);
  if (values.length === 0 || values.some((v) => v === ''))
    throw new SweepError(`--vary ${text}: empty value; expected path=v1,v2,…`);
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) throw new SweepError(`--vary ${text}: value '${v}' is listed twice`);
    seen.add(v);
  }
  return { text, path, values };
}

/** Splits at commas outside parentheses, brackets and braces. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

type Unit = 'number' | 'duration';

function readBound(option: string, label: string, text: string): { value: number; unit: Unit } {
  if (PLAIN_NUMBER.test(text)) return { value: Number(text), unit: 'number' };
  try {
    return { value: parseDuration(text), unit: 'duration' };
  } catch (e) {
    if (!(e instanceof UnitError)) throw e;
    throw new SweepError(
      `--vary ${option}: range ${label} '${text}' is neither a number nor a duration (${e.message})`,
    );
  }
}

function expandRange(option: string, fromText: string, toText: string, stepText: string | undefined): string[] {
  if (stepText === undefined || stepText === '')
    throw new SweepError(`--vary ${option}: a range needs a step, e.g. ${fromText}..${toText}:${fromText}`);
  const from = readBound(option, 'start', fromText);
  const to = readBound(option, 'end', toText);
  const step = readBound(option, 'step', stepText);
  if (from.unit !== to.unit || from.unit !== step.unit) {
    throw new SweepError(
      `--vary ${option}: the start, end and step of a range must all be plain numbers or all durations with units`,
    );
  }
  if (!(step.value > 0)) throw new SweepError(`--vary ${option}: the step must be greater than 0`);
  if (to.value < from.value)
    throw new SweepError(`--vary ${option}: the range ends (${toText}) before it starts (${fromText})`);
  // The small slack keeps the end point when (to − from)/step is 4.999999999 in floating point.
  const count = Math.floor((to.value - from.value) / step.value + 1e-9) + 1;
  if (count > MAX_RANGE_POINTS)
    throw new SweepError(`--vary ${option}: ${count} values; at most ${MAX_RANGE_POINTS} per range`);
  return Array.from({ length: count }, (_, i) => {
    // Twelve significant digits drop the float noise of from + i·step (0.30000000000000004).
    const value = Number((from.value + i * step.value).toPrecision(12));
    return formatQuantity(value, from.unit);
  });
}
