/**
 * The golden summaries: for every built-in scenario, the summary.json `drainsim run <name>` writes
 * (its own seed, no overrides), kept under test/golden/ as the regression baseline. `npm run
 * goldens` writes them (scripts/update-goldens.mjs); test/golden.test.ts compares byte for byte.
 */
import { join } from 'node:path';
import { fileReports } from '../../reports/index.js';
import { checkExpectations } from '../expect/check.js';
import { runScenario } from '../run-scenario.js';
import { packageRoot } from '../scenario/package-root.js';
import { loadScenarioForCli, namedScenario } from './load-scenario.js';
import { stableFileName } from './simulate.js';

export function goldenDir(): string {
  return join(packageRoot(), 'test', 'golden');
}

export function goldenPath(name: string): string {
  return join(goldenDir(), `${name}.summary.json`);
}

/** The golden file's content for a built-in scenario name. */
export function goldenSummary(name: string): string {
  const loaded = loadScenarioForCli(name);
  const scenario = namedScenario(loaded);
  const run = runScenario(scenario, { file: stableFileName(loaded.file) });
  run.expectations = checkExpectations(run, scenario.expect, loaded.file);
  return fileReports['summary-json']!.render(run);
}
