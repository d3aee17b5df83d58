/** What `run` and `explain` share: load a scenario, simulate it with a progress bar, judge its expectations. */
import { isAbsolute, join, relative } from 'node:path';
import { checkExpectations, checkExpectationsBeforeRun } from '../expect/check.js';
import type { RunResult } from '../result.js';
import { type RunOptions, runScenario } from '../run-scenario.js';
import type { LoadedScenario } from '../scenario/load.js';
import { type CliScenario, loadScenarioForCli, namedScenario } from '../scenario/load-for-run.js';
import { packageRoot } from '../scenario/package-root.js';
import type { Scenario } from '../scenario/schema.js';
import { formatWarning, type ScenarioWarning } from '../scenario/warnings.js';
import { checkWorkBudget, type WorkEstimate, type WorkLimits } from '../scenario/work-budget.js';
import { tuneJitForRun } from '../util/jit-tuning.js';
import { type CliIO, EXIT } from './context.js';
import { withExpectLocations } from './expect-locations.js';
import { type LimitArgs, limitsOf } from './limit-options.js';
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

/** A scenario's warnings on stderr, one line each; they never change an exit code. */
export function printWarnings(io: CliIO, warnings: readonly ScenarioWarning[]): void {
  for (const w of warnings) io.stderr.write(`${formatWarning(w)}\n`);
}

/** Loads a scenario and checks everything a run would reject (the budget included) before any simulation. */
export function loadForRun(args: { scenario: string; set?: string[] } & LimitArgs): {
  loaded: CliScenario;
  scenario: Scenario;
  limits: WorkLimits;
  /** The budget's estimate of the run's work. */
  work: WorkEstimate;
} {
  const loaded = loadScenarioForCli(args.scenario, args.set ?? [], { allowOutside: args['allow-outside'] });
  const scenario = namedScenario(loaded);
  const limits = limitsOf(args);
  const work = checkWorkBudget(scenario, loaded.file, limits);
  withExpectLocations(loaded, () => checkExpectationsBeforeRun(scenario, loaded.file));
  return { loaded, scenario, limits, work };
}

/**
 * Simulates a scenario for a command. `beforeRun` runs after the scenario is read and checked and
 * before the simulation: a last chance to refuse (an --out that cannot be written) with exit 2,
 * and to give the run a scratch folder for its timeline (RunOptions.timelineSpill).
 */
export function simulateForCli(
  args: { scenario: string; seed?: number; set?: string[] } & LimitArgs,
  io: CliIO,
  verb: string,
  beforeRun?: (loaded: LoadedScenario<Scenario>) => Pick<RunOptions, 'timelineSpill'> | undefined,
): Simulated {
  const { loaded, scenario, limits, work } = loadForRun(args);
  printWarnings(io, loaded.warnings);
  const more = beforeRun?.(loaded);
  // A small run ends before TurboFan's code pays back its compile (sim/util/jit-tuning.ts).
  tuneJitForRun(work.events);
  const progress = progressReporter(io, `${verb} ${loaded.name}`);
  let result: RunResult;
  try {
    // A run may refuse a timeline action (a rollout over another): its issue gets the action's line.
    result = withExpectLocations(loaded, () =>
      runScenario(scenario, {
        seed: args.seed,
        file: stableFileName(loaded.file),
        onProgress: progress.update,
        budget: { ...limits, file: loaded.file },
        timelineSpill: more?.timelineSpill,
      }),
    );
  } finally {
    progress.stop();
  }
  result.expectations = withExpectLocations(loaded, () => checkExpectations(result, scenario.expect, loaded.file));
  return { loaded, scenario, result };
}
