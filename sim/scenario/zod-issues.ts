/**
 * Turns zod's issues into one precise statement per problem: the path, the message, what was
 * expected, the value found, and the nearest valid key or value. Locations in files are added
 * later (locate.ts); this step knows only the schema and the merged data.
 */
import type { z } from 'zod';
import { nearest } from './nearest.js';
import { type PathSegment, valueAtPath } from './path.js';
import { objectKeysAt } from './schema-walk.js';
import { describeType, describeValue } from './zod-error-map.js';

type Issue = z.core.$ZodIssue;

export interface DescribedIssue {
  path: PathSegment[];
  message: string;
  expected?: string;
  found?: string;
  suggestion?: string;
  /** What to point at in the file: the key (unknown key), the value, or the enclosing mapping (missing key). */
  anchor: 'key' | 'value' | 'parent';
}

interface Context {
  schema: z.core.$ZodType;
  data: unknown;
}

const FOUND_MAX = 60;

export function formatFound(value: unknown): string {
  // JSON writes Infinity as null; YAML reads 1e400 as Infinity (review30 #15: "found null").
  if (typeof value === 'number' && !Number.isFinite(value))
    return Number.isNaN(value) ? 'NaN' : `${value} (a number too large for a double)`;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > FOUND_MAX ? `${text.slice(0, FOUND_MAX - 1)}…` : text;
}

function toPath(path: readonly PropertyKey[]): PathSegment[] {
  return path.map((segment) => (typeof segment === 'number' ? segment : String(segment)));
}

export function describeZodIssues(issues: readonly Issue[], schema: z.core.$ZodType, data: unknown): DescribedIssue[] {
  return issues.flatMap((issue) => describe(issue, [], { schema, data }));
}

function describe(issue: Issue, base: PathSegment[], ctx: Context): DescribedIssue[] {
  const path = [...base, ...toPath(issue.path)];
  switch (issue.code) {
    case 'unrecognized_keys': {
      const valid = objectKeysAt(ctx.schema, path, ctx.data);
      return issue.keys.map((key) => ({
        path: [...path, key],
        message: issue.message,
        suggestion: nearest(key, valid),
        anchor: 'key' as const,
      }));
    }
    case 'invalid_union':
      return describeUnion(issue, path, ctx);
    case 'invalid_key':
      return [{ path, message: `invalid key: ${issue.issues.map((i) => i.message).join('; ')}`, anchor: 'key' }];
    case 'invalid_element':
      return issue.issues.flatMap((inner) => describe(inner as Issue, path, ctx));
    default:
      return [withValue(issue, path, ctx)];
  }
}

/** An issue about a value: attach what was found and, for a near-miss enum value, the nearest one. */
function withValue(issue: Issue, path: PathSegment[], ctx: Context, message = issue.message): DescribedIssue {
  const value = valueAtPath(ctx.data, path);
  const input = value !== undefined ? value : (issue as { input?: unknown }).input;
  const described: DescribedIssue = { path, message, anchor: input === undefined ? 'parent' : 'value' };
  if (input !== undefined) described.found = formatFound(input);
  if (issue.code === 'invalid_type') described.expected = describeType(issue.expected);
  // Custom issues (zDuration, zDistribution) may say what they expected in their params.
  if (issue.code === 'custom' && typeof issue.params?.expected === 'string') described.expected = issue.params.expected;
  if (issue.code === 'invalid_value') {
    described.expected = issue.values.map(describeValue).join(', ');
    if (typeof input === 'string')
      described.suggestion = nearest(
        input,
        issue.values.filter((v): v is string => typeof v === 'string'),
      );
  }
  return described;
}

/** A branch that failed only because the value is of another kind altogether (a number where a mapping was wanted). */
function isKindMismatch(branch: readonly Issue[]): boolean {
  return branch.every(
    (issue) => issue.path.length === 0 && (issue.code === 'invalid_type' || issue.code === 'invalid_value'),
  );
}

function branchDepth(branch: readonly Issue[]): number {
  return Math.max(0, ...branch.map((issue) => issue.path.length));
}

/**
 * A union reports every option's failure. When no option fits the value's kind, say which kinds
 * would; otherwise report the option that got furthest (the deepest issue path), which is almost
 * always the one the author meant.
 */
function describeUnion(issue: z.core.$ZodIssueInvalidUnion, path: PathSegment[], ctx: Context): DescribedIssue[] {
  const branches = issue.errors as Issue[][];
  if (branches.length === 0) {
    // A discriminated union whose tag matches no option: zod lists the valid tags.
    const described = withValue(issue, path, ctx);
    const options = (issue as { options?: unknown[] }).options ?? [];
    const value = valueAtPath(ctx.data, path);
    if (typeof value === 'string')
      described.suggestion = nearest(
        value,
        options.filter((o): o is string => typeof o === 'string'),
      );
    return [described];
  }
  const plausible = branches.filter((branch) => branch.length > 0 && !isKindMismatch(branch));
  if (plausible.length === 0) {
    const alternatives = [...new Set(branches.flat().map(expectedOf))];
    return [withValue(issue, path, ctx, `expected ${alternatives.join(' or ')}`)];
  }
  const best = plausible.reduce((a, b) =>
    branchDepth(b) > branchDepth(a) || (branchDepth(b) === branchDepth(a) && b.length < a.length) ? b : a,
  );
  return best.flatMap((inner) => describe(inner, path, ctx));
}

function expectedOf(issue: Issue): string {
  if (issue.code === 'invalid_type') return describeType(issue.expected);
  if (issue.code === 'invalid_value') return issue.values.map(describeValue).join(' or ');
  return issue.message;
}
