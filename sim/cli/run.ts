/** `drainsim run <scenario>`: simulate one scenario, write its outputs, check its expectations. */
import { join, relative, isAbsolute } from 'node:path';
import type { CommandModule } from 'yargs';
import { fileReports, writeReports } from '../../reports/index.js';
import { runScenario } from '../run-scenario.js';
import { packageRoot } from '../scenario/package-root.js';
import { loadScenarioForCli } from './load-scenario.js';
import { checkExpectations } from '../expect/check.js';
import { renderFailureReports } from './failure-report.js';
import { EXIT, colorFor, exitCodeHandler, withScenarioErrors, type CliIO } from './context.js';
import { progressReporter } from './progress.js';
import { setOption } from './set-option.js';

export interface RunArgs {
  scenario: string;
  seed?: number;
  set?: string[];
  out?: string;
  format?: string[];
}

/** How a scenario file is named in outputs: stable across machines (no absolute paths). */
export function stableFileName(file: string): string {
  const rel = relative(packageRoot(), isAbsolute(file) ? file : join(process.cwd(), file));
  return rel.startsWith('..') || isAbsolute(rel) ? file.split(/[\\/]/).pop()! : rel;
}

export function runCommandLine(args: RunArgs, io: CliIO): Promise<number> | number {
  return withScenarioErrors(io, () => {
    const loaded = loadScenarioForCli(args.scenario, args.set ?? []);
    const scenario = { ...loaded.scenario, name: loaded.name };
    const progress = progressReporter(io, `run ${loaded.name}`);
    const result = runScenario(scenario, { seed: args.seed, file: stableFileName(loaded.file), onProgress: progress.update });
    progress.stop();
    result.expectations = checkExpectations(result, scenario.expect, loaded.file);
    const printed = (args.format ?? ['terminal']).filter((f) => f !== 'none');
    writeReports(result, {
      outDir: args.out ?? join('out', loaded.name),
      formats: [...Object.keys(fileReports), ...printed],
      stdout: io.stdout,
      color: colorFor(io),
    });
    // On stderr, so `--format json` output stays clean: the seed, values and log around each failure.
    io.stderr.write(renderFailureReports(result, { scenario: args.scenario, sets: args.set, color: colorFor(io) }));
    return result.expectations.every((e) => e.passed) ? EXIT.ok : EXIT.expectationFailed;
  });
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run <scenario>',
  describe: 'Simulate a scenario and write summary.json, timeline.csv, events.log and report.html',
  builder: (y) =>
    y
      .positional('scenario', { type: 'string', demandOption: true, describe: 'A built-in scenario name (see `drainsim list`) or a YAML/JSON file' })
      .option('seed', { type: 'number', describe: 'Random seed (overrides the scenario\'s seed)' })
      .option('set', setOption)
      .option('out', { type: 'string', describe: 'Output directory (default out/<scenario>)' })
      .option('format', {
        type: 'string',
        array: true,
        choices: ['terminal', 'json', 'none'],
        describe: 'What to print on stdout: terminal summary, the summary as JSON, or nothing',
      })
      .example('$0 run hard-cut', 'replay the hard cut of seed Part 6 and write out/hard-cut/')
      .example('$0 run ws-stall --seed 7 --set clients.ws.initial_sessions=2400', 'another seed, twice the sessions')
      .example('$0 run my-scenario.yaml --format json > summary.json', 'machine-readable summary on stdout'),
  handler: exitCodeHandler((args, io) => runCommandLine(args, io)),
};
