/** `drainsim run <scenario>`: simulate one scenario, write its outputs, check its expectations. */
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { consoleFormatNames, fileFormatNames, writeReportsFor } from '../../reports/by-format.js';
import { outputDirProblem, scratchDirFor } from '../../reports/write-atomic.js';
import { ScenarioError } from '../scenario/errors.js';
import { type CliIO, colorFor, exitCodeHandler, withScenarioErrors } from './context.js';
import { type LimitArgs, withLimitOptions } from './limit-options.js';
import { outputFolderName } from './output-name.js';
import { scenarioPositional, seedOption, setOption } from './set-option.js';
import { expectationsExitCode, simulateForCli } from './simulate.js';

export interface RunArgs extends LimitArgs {
  scenario: string;
  seed?: number;
  set?: string[];
  out?: string;
  format?: string[];
  verbose?: boolean;
}

export function runCommandLine(args: RunArgs, io: CliIO): Promise<number> | number {
  return withScenarioErrors(io, async () => {
    let outDir = args.out;
    // The timeline's rows past a bound go to a file made here, beside the output folder; the folder
    // is removed as soon as that file is open and nameless (sim/run-scenario.ts timelineSpill
    // `unlinked`), so a run stopped by Ctrl-C leaves nothing beside --out; else whatever happens.
    let scratch: ReturnType<typeof scratchDirFor> | undefined;
    try {
      const { result } = simulateForCli(args, io, 'run', (loaded) => {
        // The name is the scenario's own text: never a path (name: ../../x), see output-name.ts.
        outDir ??= join('out', outputFolderName(loaded.name));
        const problem = outputDirProblem(outDir);
        if (problem !== undefined) throw new ScenarioError([{ file: '--out', path: '', message: problem }]);
        scratch = scratchDirFor(outDir);
        return { timelineSpill: { dir: scratch.path, unlinked: scratch.remove } };
      });
      const printed = (args.format ?? ['terminal']).filter((f) => f !== 'none');
      await writeReportsFor(result, {
        outDir: outDir!,
        formats: [...fileFormatNames, ...printed],
        stdout: io.stdout,
        color: colorFor(io),
        verbose: args.verbose === true,
      });
      // On stderr, so `--format json` output stays clean: the seed, values and log around each failure
      // (its module, and chalk with it, loaded only when there is one).
      if (result.expectations.some((e) => !e.passed)) {
        const { renderFailureReports } = await import('./failure-report.js');
        io.stderr.write(renderFailureReports(result, { scenario: args.scenario, sets: args.set, color: colorFor(io) }));
      }
      return expectationsExitCode(result);
    } finally {
      scratch?.remove();
    }
  });
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run <scenario>',
  describe: 'Simulate a scenario and write summary.json, timeline.csv, events.log and report.html',
  builder: (y) =>
    withLimitOptions(y)
      .positional('scenario', scenarioPositional)
      .option('seed', seedOption)
      .option('set', setOption)
      .option('out', {
        type: 'string',
        describe: 'Output directory (default out/<scenario>); its previous set is replaced whole',
      })
      .option('format', {
        type: 'string',
        array: true,
        choices: [...consoleFormatNames, 'none'],
        describe: 'What to print on stdout: terminal summary, the summary as JSON, or nothing',
      })
      .option('verbose', {
        type: 'boolean',
        describe: 'Print every key figure (zeros too), every histogram and the sparklines, not the 30-line summary',
      })
      .example('$0 run hard-cut', 'replay the hard cut (a backend removed without drain) and write out/hard-cut/')
      .example('$0 run ws-stall --seed 7 --set clients.ws.initial_sessions=2400', 'another seed, twice the sessions')
      .example('$0 run my-scenario.yaml --format json > summary.json', 'machine-readable summary on stdout'),
  handler: exitCodeHandler((args, io) => runCommandLine(args, io)),
};
