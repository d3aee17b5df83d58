/**
 * `drainsim report <a> <b>`: run a failure and its fix and write them on one page, side by side
 * (reports/side-by-side): the same charts on one time axis, then the figures that changed, better or
 * worse by what they count. Exit 0 whatever the expectations say: the page is the answer.
 */
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { renderSideBySide } from '../../reports/side-by-side/index.js';
import { outputDirProblem, writeFilesAtomic } from '../../reports/write-atomic.js';
import { ScenarioError } from '../scenario/errors.js';
import { type CliIO, EXIT, exitCodeHandler, withScenarioErrors } from './context.js';
import { type LimitArgs, withLimitOptions } from './limit-options.js';
import { seedOptionFor } from './number-options.js';
import { outputFolderName } from './output-name.js';
import { setOption } from './set-option.js';
import { simulateForCli } from './simulate.js';

export interface ReportArgs extends LimitArgs {
  a: string;
  b: string;
  seed?: number;
  set?: string[];
  out?: string;
}

export function reportCommandLine(args: ReportArgs, io: CliIO): Promise<number> | number {
  return withScenarioErrors(io, () => {
    let outDir = args.out;
    const checkOut = (): void => {
      const problem = outputDirProblem(outDir!);
      if (problem !== undefined) throw new ScenarioError([{ file: '--out', path: '', message: problem }]);
    };
    const common = { seed: args.seed, set: args.set, ...limitArgs(args) };
    const a = simulateForCli({ ...common, scenario: args.a }, io, 'report', (loaded) => {
      // Checked before the first simulation, so a bad --out costs no run.
      outDir ??= join(
        'out',
        `${outputFolderName(loaded.name)}-vs-${outputFolderName(
          args.b
            .replace(/\.(ya?ml|json)$/, '')
            .split(/[\\/]/)
            .pop()!,
        )}`,
      );
      checkOut();
      return undefined; // both runs' timelines stay in memory: the page reads them side by side
    }).result;
    const b = simulateForCli({ ...common, scenario: args.b }, io, 'report').result;
    let page: string;
    try {
      page = renderSideBySide(a, b);
    } catch (err) {
      // Two runs that cannot share a time axis: a usage problem, said in plain words.
      throw new ScenarioError([{ file: args.b, path: 'sample_interval', message: (err as Error).message }]);
    }
    const [written] = writeFilesAtomic(outDir!, [{ fileName: 'report.html', text: page }]);
    io.stdout.write(`${a.scenario.name} vs ${b.scenario.name}: ${written}\n`);
    return EXIT.ok;
  });
}

function limitArgs(args: ReportArgs): LimitArgs {
  const { a: _a, b: _b, seed: _s, set: _t, out: _o, ...rest } = args;
  return rest;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report <a> <b>',
  describe: 'Run two scenarios (a failure and its fix) and write their charts side by side on one page',
  builder: (y) =>
    withLimitOptions(y)
      .positional('a', {
        type: 'string',
        demandOption: true,
        describe: 'The first scenario (left): a built-in name or a file',
      })
      .positional('b', {
        type: 'string',
        demandOption: true,
        describe: 'The second scenario (right): a built-in name or a file',
      })
      .option('seed', seedOptionFor("Random seed for both runs (default: each scenario's own)"))
      .option('set', setOption)
      .option('out', {
        type: 'string',
        describe: 'Output folder (default out/<a>-vs-<b>); report.html is written there',
      })
      .example('$0 report ws-stall ws-drain-graceful', 'the WebSocket drain that never ends beside its fix')
      .example('$0 report hard-cut hard-cut-drained --seed 7', 'the hard cut and the drained removal, seed 7'),
  handler: exitCodeHandler((args, io) => reportCommandLine(args, io)),
};
