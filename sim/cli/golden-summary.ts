/**
 * The golden summaries: for every built-in scenario, the summary.json `drainsim run <name>` writes
 * (its own seed, no overrides), kept under test/golden/ as the regression baseline. `npm run
 * goldens` writes them (scripts/update-goldens.mjs); test/golden.test.ts compares byte for byte.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileReports } from '../../reports/index.js';
import { checkExpectations } from '../expect/check.js';
import type { RunResult } from '../result.js';
import { runScenario } from '../run-scenario.js';
import { loadScenarioForCli, namedScenario } from '../scenario/load-for-run.js';
import { packageRoot } from '../scenario/package-root.js';
import { stableFileName } from './simulate.js';

export function goldenDir(): string {
  return join(packageRoot(), 'test', 'golden');
}

export function goldenPath(name: string): string {
  return join(goldenDir(), `${name}.summary.json`);
}

/** Where the sha-256 of a built-in's timeline.csv and events.log are kept. */
export function goldenHashesPath(name: string): string {
  return join(goldenDir(), `${name}.hashes.json`);
}

/** The golden files' contents for a built-in scenario name: the summary.json text, and a small JSON
 * of the sha-256 of its timeline.csv and events.log (too large to keep whole, but a refactor must
 * keep them byte-identical too). */
export function goldenOutputs(name: string): { summary: string; hashes: string; run: RunResult } {
  const loaded = loadScenarioForCli(name);
  const scenario = namedScenario(loaded);
  const run = runScenario(scenario, { file: stableFileName(loaded.file) });
  run.expectations = checkExpectations(run, scenario.expect, loaded.file);
  const sha = (report: string) => createHash('sha256').update(fileReports[report]!.render(run)).digest('hex');
  const hashes = { 'timeline.csv': sha('timeline-csv'), 'events.log': sha('events-log') };
  return {
    summary: fileReports['summary-json']!.render(run),
    hashes: `${JSON.stringify(hashes, null, 2)}\n`,
    // For the tests that check every built-in's other outputs without running it twice.
    run,
  };
}

/** The golden summary.json content for a built-in scenario name. */
export function goldenSummary(name: string): string {
  return goldenOutputs(name).summary;
}
