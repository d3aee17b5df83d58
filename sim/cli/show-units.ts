/**
 * `show` prints a resolved scenario, whose durations are numbers of seconds and whose unset
 * optionals are null; scenario files demand units and reject null. This puts the units back where
 * the JSON Schema of scenario files (json-schema.ts, from the zod schema) says a duration goes, and
 * leaves out nulls, so `drainsim show x > r.yaml; drainsim validate r.yaml` passes (issue 16).
 */
import { formatDuration, parseDuration } from '../scenario/units.js';

type JsonSchema = {
  type?: string | string[];
  pattern?: string;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
};

/** The options a node stands for: itself, or each member of anyOf/oneOf/allOf. */
function options(s: JsonSchema): JsonSchema[] {
  const members = [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])];
  return members.length === 0 ? [s] : members.flatMap(options);
}

/** A duration string's pattern (units.ts' grammar) names its units. */
function takesDuration(s: JsonSchema): boolean {
  return options(s).some((o) => o.type === 'string' && typeof o.pattern === 'string' && /ms\|s\|m\|h/.test(o.pattern));
}

function child(s: JsonSchema, key: string): JsonSchema | undefined {
  for (const o of options(s)) {
    const p = o.properties?.[key];
    if (p !== undefined) return p;
    if (typeof o.additionalProperties === 'object') return o.additionalProperties;
  }
  return undefined;
}

function itemsOf(s: JsonSchema): JsonSchema | undefined {
  return options(s).find((o) => o.items !== undefined)?.items;
}

/**
 * Settings whose `0` (off) is read as Infinity like a timeout's `infinite`, where `infinite` would
 * read as the opposite: `slowstart: infinite` looks like a ramp that never ends, not no ramp
 * (review30 #14). Shown as the `0` the schema documents.
 */
const OFF_AT_ZERO = new Set(['slowstart']);

/** `value` (plain data from toPlain) with durations written with units and nulls left out. */
export function withUnits(value: unknown, schema: JsonSchema | undefined): unknown {
  if (Array.isArray(value)) {
    const items = schema === undefined ? undefined : itemsOf(schema);
    return value.map((v) => withUnits(v, items));
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === null) continue;
      out[key] =
        item === Infinity && OFF_AT_ZERO.has(key)
          ? 0
          : withUnits(item, schema === undefined ? undefined : child(schema, key));
    }
    return out;
  }
  if (typeof value === 'number' && schema !== undefined && takesDuration(schema)) {
    // zDurationOrInfinite reads 'infinite' as no timeout (Infinity).
    return Number.isFinite(value) ? exactDuration(value) : 'infinite';
  }
  return value;
}

/** The readable form (`1h 30m`, `250ms`) when it reads back to the same number, else exact seconds. */
function exactDuration(seconds: number): string {
  const pretty = formatDuration(seconds);
  try {
    if (parseDuration(pretty) === seconds) return pretty;
  } catch {
    // fall through to the exact form
  }
  return `${seconds}s`;
}
