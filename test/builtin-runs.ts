/**
 * One run of each built-in scenario, shared by the checks that need every built-in: its goldens
 * (test/golden-checks.ts) and `explain` on it (test/explain/builtin-checks.ts). A whole built-in
 * run is the suite's costliest unit (all of them: ~65 s CPU), so each is run once for both, and
 * the built-ins are split over SHARDS test files (test/golden-<k>.test.ts) that vitest runs in
 * parallel (session 9: 44 s and 34 s of CPU, where golden.test.ts and explain/builtins.test.ts
 * took 72 s and 69 s running every built-in each).
 */
import { readFileSync } from 'node:fs';
import { beforeAll } from 'vitest';
import { goldenOutputs, goldenPath } from '../sim/cli/golden-summary.js';
import { narrate } from '../sim/explain/narrate.js';
import type { RunResult } from '../sim/result.js';
import { builtinScenarioNames } from '../sim/scenario/load.js';
import { loadScenarioForCli, namedScenario } from '../sim/scenario/load-for-run.js';
import type { Scenario } from '../sim/scenario/schema.js';

export const SHARDS = 2;

/** Built-ins that checks of shard 1 read by name (test/explain/builtin-checks.ts). */
export const PINNED_TO_FIRST = ['hc-cascade', 'hard-cut', 'ws-stall'];

export interface BuiltinRun {
  /** summary.json text and hashes.json text as `npm run goldens` writes them, and the run itself. */
  outputs: { summary: string; hashes: string; run: RunResult };
  result: RunResult;
  scenario: Scenario;
  narration: string;
  /** The narration with its line wrapping undone, for phrases. */
  prose: string;
}

/** A run's cost by its golden's engine event count (0 without a golden). */
function weight(name: string): number {
  try {
    return (JSON.parse(readFileSync(goldenPath(name), 'utf8')) as { engine_events?: number }).engine_events ?? 0;
  } catch {
    return 0;
  }
}

/**
 * The built-ins of shard `k` (1-based), in builtinScenarioNames() order: PINNED_TO_FIRST in shard
 * 1, the rest dealt heaviest first to the lightest shard so far. Every built-in is in exactly one.
 */
export function builtinShard(k: number): string[] {
  const names = builtinScenarioNames();
  const load = Array.from({ length: SHARDS }, () => 0);
  const shardOf = new Map<string, number>();
  const weighted = names.map((name) => ({ name, w: weight(name) }));
  for (const { name, w } of weighted.filter((x) => PINNED_TO_FIRST.includes(x.name))) {
    shardOf.set(name, 0);
    load[0]! += w;
  }
  const rest = weighted.filter((x) => !shardOf.has(x.name)).sort((a, b) => b.w - a.w || (a.name < b.name ? -1 : 1));
  for (const { name, w } of rest) {
    const lightest = load.indexOf(Math.min(...load));
    shardOf.set(name, lightest);
    load[lightest]! += w;
  }
  return names.filter((name) => shardOf.get(name) === k - 1);
}

/**
 * Registers a beforeAll that runs each of `names` once (as `npm run goldens` does) and narrates
 * it (as `drainsim explain` does); returns the lookup. A built-in whose run throws fails the
 * checks that read it, not the collection of the file.
 */
export function builtinRuns(names: string[]): (name: string) => BuiltinRun {
  const runs = new Map<string, BuiltinRun>();
  const errors = new Map<string, unknown>();
  beforeAll(() => {
    for (const name of names) {
      try {
        const outputs = goldenOutputs(name);
        const scenario = namedScenario(loadScenarioForCli(name));
        const narration = narrate(outputs.run, scenario, { color: false, width: 100 });
        runs.set(name, { outputs, result: outputs.run, scenario, narration, prose: narration.replace(/\s+/g, ' ') });
      } catch (e) {
        errors.set(name, e);
      }
    }
  }, 600_000);
  return (name) => {
    if (errors.has(name)) throw errors.get(name);
    const r = runs.get(name);
    if (r === undefined) throw new Error(`built-in ${name} is not run in this shard (${names.join(', ')})`);
    return r;
  };
}
