/**
 * Walks a zod 4 schema along a data path to find which keys the object at that path accepts, so
 * an unknown key can be answered with the nearest valid one. Works on any schema built from the
 * usual combinators; wrappers (optional, default, pipe, …) are looked through.
 */
import type { z } from 'zod';
import type { PathSegment } from './path.js';
import { valueAtPath } from './path.js';

type Schema = z.core.$ZodType;

/** The parts of zod 4's internal `def` that the walker reads; every combinator fills a subset. */
interface Def {
  type: string;
  innerType?: Schema;
  in?: Schema;
  out?: Schema;
  element?: Schema;
  shape?: Record<string, Schema>;
  catchall?: Schema;
  options?: Schema[];
  discriminator?: string;
  valueType?: Schema;
  items?: Schema[];
  rest?: Schema | null;
  left?: Schema;
  right?: Schema;
  getter?: () => Schema;
}

function defOf(schema: Schema): Def {
  return schema._zod.def as unknown as Def;
}

/** Wrappers whose own shape is their inner schema's. */
const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'nonoptional', 'readonly', 'catch']);

/**
 * The structural schemas `schema` stands for: wrappers removed, pipes followed on their input side
 * (a preprocess — a pipe whose input is a bare transform — on its output side), lazies expanded,
 * unions and intersections split into their members.
 */
function structural(schema: Schema, value: unknown, depth = 0): Schema[] {
  if (depth > 32) return [];
  const def = defOf(schema);
  if (WRAPPERS.has(def.type) && def.innerType) return structural(def.innerType, value, depth + 1);
  if (def.type === 'lazy' && def.getter) return structural(def.getter(), value, depth + 1);
  if (def.type === 'pipe' && def.in && def.out) {
    const inner = structural(def.in, value, depth + 1);
    return inner.every((s) => defOf(s).type === 'transform') ? structural(def.out, value, depth + 1) : inner;
  }
  if (def.type === 'intersection' && def.left && def.right) {
    return [...structural(def.left, value, depth + 1), ...structural(def.right, value, depth + 1)];
  }
  if (def.type === 'union' && def.options) {
    return matchingOptions(def, value).flatMap((option) => structural(option, value, depth + 1));
  }
  return [schema];
}

/**
 * A discriminated union whose discriminator value in the data picks an option narrows to that
 * option; otherwise every option is a candidate.
 */
function matchingOptions(def: Def, value: unknown): Schema[] {
  const options = def.options ?? [];
  if (def.discriminator === undefined || value === null || typeof value !== 'object') return options;
  const tag = (value as Record<string, unknown>)[def.discriminator];
  const picked = options.filter((option) =>
    structural(option, value).some((s) => {
      const field = defOf(s).shape?.[def.discriminator as string];
      return field !== undefined && isValid(field, tag);
    }),
  );
  return picked.length > 0 ? picked : options;
}

/** Synchronous validity check; an async schema counts as not matching rather than blocking. */
function isValid(schema: Schema, value: unknown): boolean {
  const result = schema['~standard'].validate(value);
  return !(result instanceof Promise) && result.issues === undefined;
}

/** The schemas that describe the child `segment` of a value described by `schema`. */
function childSchemas(schema: Schema, segment: PathSegment, value: unknown): Schema[] {
  return structural(schema, value).flatMap((s): Schema[] => {
    const def = defOf(s);
    switch (def.type) {
      case 'object': {
        const field = typeof segment === 'string' ? def.shape?.[segment] : undefined;
        if (field) return [field];
        return def.catchall && defOf(def.catchall).type !== 'never' ? [def.catchall] : [];
      }
      case 'record':
        return def.valueType ? [def.valueType] : [];
      case 'array':
        return typeof segment === 'number' && def.element ? [def.element] : [];
      case 'tuple': {
        if (typeof segment !== 'number') return [];
        const item = def.items?.[segment] ?? def.rest;
        return item ? [item] : [];
      }
      default:
        return [];
    }
  });
}

/**
 * The keys an object at `path` accepts, in schema order, given the data being validated (used to
 * pick discriminated-union options). Empty when the path does not lead to an object schema.
 */
export function objectKeysAt(schema: Schema, path: readonly PathSegment[], data: unknown): string[] {
  let current: Schema[] = [schema];
  for (let i = 0; i < path.length; i++) {
    const value = valueAtPath(data, path.slice(0, i));
    current = current.flatMap((s) => childSchemas(s, path[i], value));
  }
  const value = valueAtPath(data, path);
  const keys = current.flatMap((s) => structural(s, value)).flatMap((s) => Object.keys(defOf(s).shape ?? {}));
  return [...new Set(keys)];
}
