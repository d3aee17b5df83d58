/**
 * `drainsim check <files or folders…>`: run many scenarios and their `expect:` assertions — the CI
 * entry point. One line per scenario on stdout (no wall time, so the output is reproducible),
 * failure reports and scenario errors on stderr, optionally JUnit XML. Exit 0 when everything
 * passed, 1 when an assertion failed, 2 when any scenario could not be read (bad input wins: a
 * scenario that did not run may hide a failure).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { CommandModule } from 'yargs';
import { colorize, fileReports, writeFileAtomic, writeReports } from '../../reports/index.js';
import { type JunitCase, type JunitSuite, renderJunit } from '../../reports/junit/index.js';
import { outputDirProblem } from '../../reports/write-atomic.js';
import {
  checkExpectationsBeforeRun,
  evaluateExpectations,
  toExpectationResult,
  type Verdict,
} from '../expect/check.js';
import type { RunResult } from '../result.js';
import { runScenario } from '../run-scenario.js';
import { ScenarioError } from '../scenario/errors.js';
import { loadScenarioForCli, namedScenario } from '../scenario/load-for-run.js';
import type { Scenario } from '../scenario/schema.js';
import type { ScenarioWarning } from '../scenario/warnings.js';
import { checkWorkBudget, DEFAULT_LIMITS, type RunBudget, type WorkLimits } from '../scenario/work-budget.js';
import { type CliIO, colorFor, EXIT, exitCodeHandler } from './context.js';
import { withExpectLocations } from './expect-locations.js';
import { failureHeadline, renderFailureReport } from './failure-report.js';
import { type LimitArgs, limitsOf, withLimitOptions } from './limit-options.js';
import { seedOptionFor } from './number-options.js';
import { outputFolderName } from './output-name.js';
import { checkJson, checkMarkdown, RESULT_FORMATS, type ResultFormat } from './result-formats.js';
import { setOption } from './set-option.js';
import { printWarnings, stableFileName } from './simulate.js';

const SCENARIO_EXTENSIONS = new Set(['.yaml', '.yml']);

export interface CheckOptions {
  seed?: number;
  sets?: readonly string[];
  /** Writes each scenario's file reports to `<out>/<scenario name>/`. */
  out?: string;
  /** The work budget of every run (default DEFAULT_LIMITS). */
  limits?: WorkLimits;
  allowOutside?: boolean;
}

export interface FailedCheck {
  verdict: Verdict;
  /** One line: actual value, moment, what was expected. */
  headline: string;
  /** The whole report, standing alone (a JUnit testcase's body). */
  report: string;
  /** The report as printed after the ones before it: events.log lines already printed are left out. */
  printed: string;
}

export type ScenarioCheck =
  | {
      status: 'pass' | 'fail';
      ref: string;
      name: string;
      seed: number;
      verdicts: Verdict[];
      failures: FailedCheck[];
      /** The scenario file as shown to the user, and the line of each `expect:` entry (by verdict). */
      file: string;
      lines: (number | undefined)[];
      /** What loading the scenario warned of (printed on stderr, never a failure). */
      warnings: ScenarioWarning[];
    }
  | { status: 'error'; ref: string; name: string; error: string };

/** Folders become the scenario files directly inside them, sorted; anything else is passed on as given. */
export function expandScenarioPaths(paths: readonly string[]): { refs: string[]; empty: string[] } {
  const refs: string[] = [];
  const empty: string[] = [];
  for (const path of paths) {
    if (!existsSync(path) || !statSync(path).isDirectory()) {
      refs.push(path);
      continue;
    }
    const files = readdirSync(path)
      .filter((f) => SCENARIO_EXTENSIONS.has(extname(f)))
      .sort()
      .map((f) => join(path, f));
    if (files.length === 0) empty.push(path);
    refs.push(...files);
  }
  return { refs, empty };
}

/** Runs of one scenario by seed; the last one is kept, since failure reports ask for it again. */
function seedRunner(scenario: Scenario, file: string, budget: RunBudget): (seed: number) => RunResult {
  let last: RunResult | undefined;
  return (seed) => {
    if (last?.seed !== seed) last = runScenario(scenario, { seed, file, budget });
    return last;
  };
}

/** Loads, runs and checks one scenario; a ScenarioError becomes an `error` outcome. */
export function checkScenario(ref: string, options: CheckOptions = {}): ScenarioCheck {
  let name = ref;
  try {
    const loaded = loadScenarioForCli(ref, options.sets ?? [], { allowOutside: options.allowOutside });
    name = loaded.name;
    const scenario = namedScenario(loaded);
    const limits = options.limits ?? DEFAULT_LIMITS;
    checkWorkBudget(scenario, loaded.file, limits);
    withExpectLocations(loaded, () => checkExpectationsBeforeRun(scenario, loaded.file));
    const runOf = seedRunner(scenario, stableFileName(loaded.file), { ...limits, file: loaded.file });
    // A run may refuse a timeline action (a rollout over another): its issue gets the action's line.
    const run = withExpectLocations(loaded, () => runOf(options.seed ?? scenario.seed));
    const verdicts = withExpectLocations(loaded, () =>
      evaluateExpectations(run, scenario.expect, loaded.file, { runSeed: runOf }),
    );
    run.expectations = verdicts.map(toExpectationResult);
    // The name is the scenario's own text: never a path (name: ../../x), see output-name.ts.
    if (options.out !== undefined)
      writeReports(run, {
        outDir: join(options.out, outputFolderName(loaded.name)),
        formats: Object.keys(fileReports),
      });
    // Log lines already printed for an earlier failure of the same seed are not printed again.
    const shownBySeed = new Map<number, Set<number>>();
    const failures = verdicts
      .filter((v) => !v.passed)
      .map((verdict) => {
        const pinned = verdict.seed === run.seed ? run : runOf(verdict.seed);
        const shownEvents = shownBySeed.get(pinned.seed) ?? new Set<number>();
        shownBySeed.set(pinned.seed, shownEvents);
        const report = renderFailureReport(pinned, verdict, { scenario: ref, sets: options.sets });
        const printed = renderFailureReport(pinned, verdict, { scenario: ref, sets: options.sets, shownEvents });
        return { verdict, headline: failureHeadline(pinned, verdict), report, printed };
      });
    const lines = verdicts.map((_, i) => loaded.locate(['expect', i]).line);
    return {
      status: failures.length > 0 ? 'fail' : 'pass',
      ref,
      name,
      seed: run.seed,
      verdicts,
      failures,
      file: loaded.file,
      lines,
      warnings: loaded.warnings,
    };
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    return { status: 'error', ref, name, error: err.format() };
  }
}

function summaryLine(c: ScenarioCheck, refWidth: number, color: boolean): string {
  const tone = c.status === 'pass' ? 'ok' : 'fail';
  const status = colorize(c.status.toUpperCase().padEnd(5), tone, color);
  const head = `${status}  ${c.ref.padEnd(refWidth)}`;
  if (c.status === 'error') return `${head}  ${c.error.split('\n')[0]}`;
  const n = c.verdicts.length;
  const counts =
    n === 0
      ? 'no assertions'
      : c.failures.length === 0
        ? `${n} of ${n} assertions passed`
        : `${c.failures.length} of ${n} assertions failed`;
  return `${head}  ${c.name} · seed ${c.seed} · ${counts}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One suite per scenario: a `run` case (did it load, run and bind?) and one case per assertion. */
export function junitSuite(c: ScenarioCheck): JunitSuite {
  if (c.status === 'error') {
    const first = c.error.split('\n')[0]!;
    return { name: c.name, file: c.ref, cases: [{ name: 'run', error: { message: first, body: c.error } }] };
  }
  const cases: JunitCase[] = [{ name: 'run' }];
  c.verdicts.forEach((v, i) => {
    const failed = c.failures.find((f) => f.verdict === v);
    // The assertion's own file and line, so CI annotations point at the `expect:` entry.
    const where = { file: c.file, ...(c.lines[i] === undefined ? {} : { line: c.lines[i] }) };
    if (failed === undefined) cases.push({ name: v.text, ...where });
    else cases.push({ name: v.text, ...where, failure: { message: failed.headline, body: failed.report } });
  });
  return { name: c.name, file: c.ref, properties: { seed: String(c.seed) }, cases };
}

export interface CheckArgs extends LimitArgs {
  paths: string[];
  seed?: number;
  set?: string[];
  junit?: string;
  out?: string;
  format?: ResultFormat;
}

/** Why the JUnit file could not be written there, checked before minutes of runs are spent. */
function junitPathProblem(path: string): string | undefined {
  if (existsSync(path) && statSync(path).isDirectory())
    return `--junit ${path} is a directory; give a file name such as ${join(path, 'drainsim-junit.xml')}`;
  return undefined;
}

export function checkCommandLine(args: CheckArgs, io: CliIO): number {
  const color = colorFor(io);
  const junitProblem = args.junit === undefined ? undefined : junitPathProblem(args.junit);
  const outProblem = args.out === undefined ? undefined : outputDirProblem(args.out);
  if (outProblem !== undefined) {
    io.stderr.write(`drainsim check: --out ${outProblem}\n`);
    return EXIT.badInput;
  }
  if (junitProblem !== undefined) {
    io.stderr.write(`drainsim check: ${junitProblem}\n`);
    return EXIT.badInput;
  }
  const { refs, empty } = expandScenarioPaths(args.paths);
  for (const dir of empty) io.stderr.write(`drainsim check: no scenario files (.yaml, .yml) in ${dir}\n`);
  const refWidth = Math.max(0, ...refs.map((r) => r.length));
  // json and markdown are one document on stdout (for a PR comment); failure reports stay on stderr.
  const text = (args.format ?? 'text') === 'text';
  const checks: ScenarioCheck[] = [];
  for (const ref of refs) {
    const c = checkScenario(ref, {
      seed: args.seed,
      sets: args.set,
      out: args.out,
      limits: limitsOf(args),
      allowOutside: args['allow-outside'],
    });
    checks.push(c);
    if (text) io.stdout.write(`${summaryLine(c, refWidth, color)}\n`);
    if (c.status === 'error') io.stderr.write(`${c.error}\n`);
    else {
      printWarnings(io, c.warnings);
      for (const f of c.failures) io.stderr.write(`${f.printed}\n`);
    }
  }
  const tally = (s: ScenarioCheck['status']): number => checks.filter((c) => c.status === s).length;
  const errors = tally('error');
  if (text)
    io.stdout.write(
      `${plural(checks.length, 'scenario')}: ${tally('pass')} passed, ${tally('fail')} failed, ${plural(errors, 'error')}\n`,
    );
  else io.stdout.write(args.format === 'json' ? checkJson(checks) : checkMarkdown(checks));
  if (args.junit !== undefined) {
    try {
      writeFileAtomic(args.junit, renderJunit(checks.map(junitSuite)));
    } catch (err) {
      io.stderr.write(
        `drainsim check: cannot write ${args.junit}: ${err instanceof Error ? err.message : String(err)}\n`,
      );
      return EXIT.badInput;
    }
    if (text) io.stdout.write(`wrote ${args.junit}\n`);
  }
  if (errors > 0 || empty.length > 0) return EXIT.badInput;
  return tally('fail') > 0 ? EXIT.expectationFailed : EXIT.ok;
}

export const checkCommand: CommandModule<object, CheckArgs> = {
  command: 'check <paths..>',
  describe: 'Run scenarios and their expect: assertions (CI); exit 1 if any fails',
  builder: (y) =>
    withLimitOptions(y)
      .positional('paths', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'Scenario files, built-in names, or folders (every .yaml directly inside)',
      })
      .option(
        'seed',
        seedOptionFor(
          "Random seed for every scenario (overrides each scenario's seed; not the seeds of 'across seeds')",
        ),
      )
      .option('set', setOption)
      .option('junit', { type: 'string', describe: 'Also write the results as JUnit XML to this file' })
      .option('out', {
        type: 'string',
        describe: "Write each scenario's summary.json, timeline.csv and events.log to <out>/<scenario>/",
      })
      .option('format', {
        choices: RESULT_FORMATS,
        default: 'text' as ResultFormat,
        describe: 'stdout as text, or one json or markdown document (a PR comment); failure reports stay on stderr',
      })
      .example('$0 check scenarios/', 'every built-in scenario; exit 1 if an assertion fails')
      .example('$0 check scenarios/ --junit out.xml', 'the same, with a JUnit report for CI')
      .example('$0 check my-policy.yaml --seed 7', 'one scenario under another seed'),
  handler: exitCodeHandler((args, io) => checkCommandLine(args, io)),
};
