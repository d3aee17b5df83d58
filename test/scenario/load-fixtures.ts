/** Shared by the loader tests: scenario files in a temp folder, and a small schema of their own. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { ScenarioError } from '../../sim/scenario/errors.js';

const made: string[] = [];

/** A fresh temp folder holding `files` (relative path → text). Removed by cleanupScenarioDirs(). */
export function scenarioDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'drainsim-load-'));
  made.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

export function cleanupScenarioDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * The loader is schema-agnostic; these tests use a schema of their own so they test the loader's
 * mechanics and survive the real scenario schema growing.
 */
export const TestSchema = z.strictObject({
  name: z.string().optional(),
  description: z.string().default(''),
  horizon: z
    .string({ error: (iss) => (iss.input === undefined ? undefined : 'expected a duration with a unit (e.g. 30s)') })
    .regex(/^\d+(ms|s|m|h)$/, { error: 'expected a duration with a unit (e.g. 30s)' })
    .default('60s'),
  lb: z.strictObject({ balance: z.enum(['roundrobin', 'leastconn', 'random']).default('roundrobin') }).prefault({}),
  tags: z.array(z.string()).default([]),
  start: z.union([z.string(), z.number()]).optional(),
  backends: z
    .array(
      z.strictObject({
        name: z.string(),
        weight: z.number().int().min(0).default(1),
        nginx: z
          .strictObject({ keepalive_timeout: z.string().default('75s'), keepalive_requests: z.number().default(1000) })
          .prefault({}),
      }),
    )
    .default([]),
  timeline: z
    .array(
      z.discriminatedUnion('do', [
        z.strictObject({ do: z.literal('drain'), backend: z.string() }),
        z.strictObject({ do: z.literal('note'), text: z.string() }),
      ]),
    )
    .default([]),
});

/** The ScenarioError `run` throws (fails the test if it throws nothing or something else). */
export function scenarioErrorOf(run: () => unknown): ScenarioError {
  try {
    run();
  } catch (err) {
    if (err instanceof ScenarioError) return err;
    throw err;
  }
  throw new Error('expected a ScenarioError, but nothing was thrown');
}
