/**
 * The regression baseline: each built-in scenario, run with its own seed, must produce exactly the
 * summary.json kept in test/golden/, and a timeline.csv and events.log whose sha-256 match
 * test/golden/<name>.hashes.json. A model change that moves any figure fails here; if the change
 * is intended, run `npm run goldens` and review the diff. The same run also checks that the
 * built-in's terminal summary fits in 30 lines (reports/terminal/compact). Registered by each
 * test/golden-<k>.test.ts for its shard of the built-ins (test/builtin-runs.ts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { goldenDir, goldenHashesPath, goldenPath } from '../sim/cli/golden-summary.js';
import { builtinScenarioNames } from '../sim/scenario/load.js';
import type { BuiltinRun } from './builtin-runs.js';
import { expectSummaryFits } from './reports/terminal/summary-size.js';

const REGENERATE = 'run `npm run goldens` and review the diff';

/** The golden checks of `shard` (built-in names), reading the shard's shared runs. */
export function describeGoldens(shard: string[], run: (name: string) => BuiltinRun): void {
  describe('golden summaries of the built-in scenarios', () => {
    it.each(shard)('%s matches its golden summary', (name) => {
      const path = goldenPath(name);
      if (!existsSync(path))
        throw new Error(`no golden summary for built-in scenario '${name}' (${path}): ${REGENERATE}`);
      const { outputs } = run(name);
      const actual = outputs.summary;
      const golden = readFileSync(path, 'utf8');
      if (actual !== golden) {
        // The figures first: they say what moved in a few lines instead of a whole-file diff.
        const figures = (text: string) => (JSON.parse(text) as { figures: Record<string, unknown> }).figures;
        expect(figures(actual), `figures of ${name} drifted from ${path}; if intended, ${REGENERATE}`).toEqual(
          figures(golden),
        );
        expect(actual, `summary of ${name} drifted from ${path}; if intended, ${REGENERATE}`).toBe(golden);
      }
      const hashesPath = goldenHashesPath(name);
      if (!existsSync(hashesPath))
        throw new Error(`no golden hashes for built-in scenario '${name}' (${hashesPath}): ${REGENERATE}`);
      expect(
        JSON.parse(outputs.hashes),
        `timeline.csv / events.log of ${name} drifted; if intended, ${REGENERATE}`,
      ).toEqual(JSON.parse(readFileSync(hashesPath, 'utf8')));
      expectSummaryFits(name, outputs.run);
    });
  });
}

/** The checks over the whole set of built-ins (no run needed): in one shard only. */
export function describeGoldenSet(shards: string[][]): void {
  const names = builtinScenarioNames();
  describe('golden summaries: the set of built-ins', () => {
    it('has built-in scenarios to check', () => {
      expect(names.length).toBeGreaterThan(0);
    });

    it('checks every built-in in exactly one shard', () => {
      expect(shards.flat().sort()).toEqual([...names].sort());
    });

    it('has no golden without a scenario', () => {
      const orphans = readdirSync(goldenDir())
        .filter((f) => /\.(summary|hashes)\.json$/.test(f))
        .map((f) => f.replace(/\.(summary|hashes)\.json$/, ''))
        .filter((name) => !names.includes(name));
      expect(orphans, `goldens of removed scenarios: ${REGENERATE}`).toEqual([]);
    });
  });
}
