/**
 * A scenario's `expect:` list checked against a finished run. The language is described in
 * sim/expect/README.md; syntax.ts parses, bind.ts resolves names, measure.ts reads a run,
 * verdict.ts judges.
 *
 * Every assertion is parsed and bound before any is judged, so one run of a scenario reports all
 * of its bad assertions at once (exit 2), and a typo can never pass.
 */
import type { ExpectationResult, RunResult } from '../result.js';
import { ScenarioError, type ScenarioIssue } from '../scenario/errors.js';
import type { Scenario } from '../scenario/schema.js';
import { type BoundAssertion, bindAssertion, unitName } from './bind.js';
import { holdsSeconds } from './figure-unit.js';
import { AssertionIssue } from './issue.js';
import { readMeasure } from './measure.js';
import { shapeRun } from './shape-run.js';
import { parseAssertion } from './syntax.js';
import { acrossSeedsVerdict, describeSeeds, type SeedReading, singleRunVerdict, type Verdict } from './verdict.js';

export type { Verdict } from './verdict.js';

export interface CheckOptions {
  /**
   * Runs the same scenario with another seed, for `… across seeds 1..10` assertions. Without it those
   * assertions are reported as not evaluated (passed, with a message) — `drainsim check` supplies it.
   */
  runSeed?: (seed: number) => RunResult;
}

/** An assertion's AssertionIssue as the scenario issue at `expect[i]`; anything else is rethrown. */
function expectIssue(err: unknown, file: string, i: number, text: string): ScenarioIssue {
  if (!(err instanceof AssertionIssue)) throw err;
  const issue: ScenarioIssue = {
    file,
    path: `expect[${i}]`,
    message: `'${text}': ${err.message}`,
    found: JSON.stringify(text),
  };
  if (err.suggestion !== undefined) issue.suggestion = err.suggestion;
  return issue;
}

/** Parses and binds every assertion; all bad ones are reported together. */
export function bindExpectations(run: RunResult, exprs: readonly string[], file: string): BoundAssertion[] {
  const issues: ScenarioIssue[] = [];
  const bound = exprs.map((text, i) => {
    try {
      return bindAssertion(parseAssertion(text), run);
    } catch (err) {
      issues.push(expectIssue(err, file, i, text));
      return undefined;
    }
  });
  if (issues.length > 0) throw new ScenarioError(issues);
  return bound as BoundAssertion[];
}

/**
 * Parses every assertion without a run — syntax, seed lists, lengths — as `validate` does; names
 * of figures and series need a run and are checked by bindExpectations.
 */
export function checkExpectationSyntax(exprs: readonly string[], file: string): void {
  const issues: ScenarioIssue[] = [];
  exprs.forEach((text, i) => {
    try {
      parseAssertion(text);
    } catch (err) {
      issues.push(expectIssue(err, file, i, text));
    }
  });
  if (issues.length > 0) throw new ScenarioError(issues);
}

/**
 * Everything about the assertions that can be known before a run: syntax, and every figure,
 * series, backend, histogram and time they name, bound against the shape of the run (shape-run.ts).
 */
export function checkExpectationsBeforeRun(scenario: Scenario, file: string): void {
  checkExpectationSyntax(scenario.expect, file);
  if (scenario.expect.length > 0) bindExpectations(shapeRun(scenario), scenario.expect, file);
}

/** Reads every across-seeds assertion seed by seed, one run alive at a time. */
function readAcrossSeeds(
  run: RunResult,
  bound: readonly BoundAssertion[],
  runSeed: (seed: number) => RunResult,
): Map<number, SeedReading[]> {
  const readings = new Map<number, SeedReading[]>();
  const seeds = [...new Set(bound.flatMap((b) => b.seeds ?? []))].sort((a, b) => a - b);
  for (const seed of seeds) {
    const seedRun = seed === run.seed ? run : runSeed(seed);
    bound.forEach((b, i) => {
      if (b.seeds === undefined || !b.seeds.includes(seed)) return;
      const list = readings.get(i) ?? [];
      list.push({ seed, reading: readMeasure(b.measure, seedRun, b.comparison) });
      readings.set(i, list);
    });
  }
  // Seeds were run in ascending order; report them in the order the assertion lists them.
  for (const [i, list] of readings) {
    const order = bound[i]!.seeds!;
    list.sort((a, b) => order.indexOf(a.seed) - order.indexOf(b.seed));
  }
  return readings;
}

/**
 * Verdicts with the seed each one is pinned to. Throws ScenarioError (exit 2) for an assertion
 * that cannot be read: bad syntax, unknown figure, series, backend, histogram or function.
 */
export function evaluateExpectations(
  run: RunResult,
  exprs: readonly string[],
  file: string,
  options: CheckOptions = {},
): Verdict[] {
  const bound = bindExpectations(run, exprs, file);
  const seeded =
    options.runSeed === undefined ? new Map<number, SeedReading[]>() : readAcrossSeeds(run, bound, options.runSeed);
  return bound.map((b, i) => {
    const v = verdictOf(b, i);
    if (holdsSeconds(unitName(b.measure))) v.inSeconds = true;
    return v;
  });

  function verdictOf(b: BoundAssertion, i: number): Verdict {
    const text = exprs[i]!;
    if (b.seeds === undefined)
      return singleRunVerdict(text, readMeasure(b.measure, run, b.comparison), b.comparison, run.seed);
    const readings = seeded.get(i);
    if (readings === undefined) {
      return {
        text,
        passed: true,
        actual: null,
        seed: run.seed,
        message: `not evaluated in a single run: 'drainsim check' runs seeds ${describeSeeds(b.seeds)}`,
      };
    }
    return acrossSeedsVerdict(text, b, readings);
  }
}

/** The expectation results as summary.json records them. */
export function toExpectationResult(v: Verdict): ExpectationResult {
  const { seed: _seed, ...result } = v;
  return result;
}

export function checkExpectations(
  result: RunResult,
  exprs: readonly string[],
  file: string,
  options: CheckOptions = {},
): ExpectationResult[] {
  return evaluateExpectations(result, exprs, file, options).map(toExpectationResult);
}
