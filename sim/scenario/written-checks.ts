/**
 * Checks of what a scenario file wrote, not of its parsed value: a parsed scenario carries every
 * default, so a key written at its default value, or one not written at all, shows only in the
 * raw input. A schema registers its checks here; the loader runs them on the raw input (after
 * `extends`, vars and `--set`) and reports their issues as the schema's own (file, line, path,
 * expected, found). A direct `schema.parse()` runs none of them.
 */
import type { z } from 'zod';
import type { DescribedIssue } from './zod-issues.js';

export type WrittenCheck = (raw: unknown) => DescribedIssue[];

const checks = new WeakMap<z.ZodType, WrittenCheck>();

export function registerWrittenCheck(schema: z.ZodType, check: WrittenCheck): void {
  checks.set(schema, check);
}

/** The issues of `schema`'s written checks on `raw` (none registered: none). */
export function writtenIssues(schema: z.ZodType, raw: unknown): DescribedIssue[] {
  return checks.get(schema)?.(raw) ?? [];
}
