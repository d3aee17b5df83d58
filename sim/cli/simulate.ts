/** What `run` and `explain` share: load a scenario, simulate it with a progress bar, judge its expectations. */
import { isAbsolute, join, relative } from 'node:path';
import { checkExpectations } from '../expect/check.js';
import type { RunResult } from '../result.js';
import { runScenario } from '../run-scenario.js';
import type { LoadedScenario } from '../scenario/load.js';
import { packageRoot } from '../scenario/package-root.js';
import type { Scenario } from '../scenario/schema.js';
import { EXIT, type CliIO } from './context.js';
import { loadScenarioForCli, namedScenario } from '../scenario/load-for-run.js';
import { progressReporter } from './progress.js';

/** How a scenario file is named in outputs: stable across machines (no absolute paths). */
export function stableFileName(file: string): string {
  const rel = relative(packageRoot(), isAbsolute(file) ? file : join(process.cwd(), file));
  return rel.startsWith('..') || isAbsolute(rel) ? file.split(/[\\/]/).pop()! : rel;
}

export interface Simulated {
  loaded: LoadedScenario<Scenario>;
  scenario: Scenario;
  result: RunResult;
}

/** An expectation that fails is exit code 1 (`run`, `explain`). */
export function expectationsExitCode(result: RunResult): number {
  return result.expectations.every((e) => e.passed) ? EXIT.ok : EXIT.expectationFailed;
}

export function simulateForCli(args: { scenario: string; seed?: number; set?: string[] }, io: CliIO, verb: string): Simulated {
  const loaded = loadScenarioForCli(args.scenario, args.set ?? []);
  const scenario = namedScenario(loaded);
  const progress = progressReporter(io, `${verb} ${loaded.name}`);
  const result = runScenario(scenario, { seed: args.seed, file: stableFileName(loaded.file), onProgress: progress.update });
  progress.stop();
  result.expectations = checkExpectations(result, scenario.expect, loaded.file);
  return { loaded, scenario, result };
}
