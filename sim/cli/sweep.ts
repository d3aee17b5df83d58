/**
 * `drainsim sweep <scenario> --vary path=values … --seeds N`: the scenario at every point of a
 * parameter grid, each with the same seeds, on worker threads; writes sweep.csv,
 * sweep-summary.csv and sweep.html. With `--shard i/n`, runs one slice and writes a shard file
 * for `drainsim merge`, checkpointing each finished run so a killed shard resumes.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { writeFileAtomic, writeFilesAtomic } from '../../reports/write-atomic.js';
import { packageVersion } from '../scenario/package-root.js';
import { parseGoal, renderAnswerTable } from '../sweep/answer-table.js';
import { CheckpointWriter, checkpointFileName, loadCheckpoint, runKey } from '../sweep/checkpoint.js';
import { SweepError } from '../sweep/errors.js';
import { sweepOutputFiles } from '../sweep/output-files.js';
import { runTasks } from '../sweep/pool.js';
import { type PreparedSweep, prepareSweep } from '../sweep/prepare.js';
import { parseShard, shardTasks } from '../sweep/shard.js';
import { renderShardFile, shardFileName } from '../sweep/shard-file.js';
import { type RunRecord, type SweepSpec, taskOf } from '../sweep/types.js';
import { parseVary } from '../sweep/vary.js';
import { type CliIO, EXIT, exitCodeHandler, withScenarioErrors } from './context.js';
import { seedOptionFor, wholeNumberOption } from './number-options.js';
import { outputFolderName } from './output-name.js';
import { progressReporter } from './progress.js';
import { setOption } from './set-option.js';

export interface SweepArgs {
  scenario: string;
  vary: string[];
  seeds: number;
  seed: number;
  set?: string[];
  workers?: number;
  shard?: string;
  out?: string;
  report?: string;
  goal?: string;
}

export async function sweepCommandLine(args: SweepArgs, io: CliIO): Promise<number> {
  return withSweepErrors(io, 'sweep', () =>
    withScenarioErrors(io, async () => {
      const spec: SweepSpec = {
        scenario: args.scenario,
        sets: args.set ?? [],
        vary: args.vary.map(parseVary),
        seeds: seedList(args.seed, args.seeds),
      };
      const workers = args.workers ?? availableParallelism();
      if (!(Number.isInteger(workers) && workers >= 1))
        throw new SweepError(`--workers must be a whole number ≥ 1, got ${args.workers}`);
      const shard = args.shard === undefined ? null : parseShard(args.shard);
      // Read before any run: a malformed goal should not cost a sweep.
      const goal = args.goal === undefined ? null : parseGoal(args.goal);
      const report = (args.report ?? '')
        .split(',')
        .map((f) => f.trim())
        .filter((f) => f !== '');
      const prepared = prepareSweep(spec);
      const total = prepared.points.length * spec.seeds.length;
      const tasks = shard === null ? Array.from({ length: total }, (_, t) => t) : shardTasks(total, shard);
      const slice = shard === null ? '' : `; shard ${shard.index}/${shard.count} runs ${tasks.length} of them`;
      io.stdout.write(
        `sweep ${prepared.name}: ${prepared.points.length} points × ${spec.seeds.length} seeds = ${total} runs${slice}, on ${Math.min(workers, Math.max(1, tasks.length))} worker(s)\n`,
      );

      const outDir = args.out ?? join('out', `sweep-${outputFolderName(prepared.name)}`);
      const version = packageVersion();
      const resume =
        shard === null ? null : resumeShard(io, prepared, version, join(outDir, shardFileName(shard)), tasks);

      const progress = progressReporter(io, `sweep ${prepared.name}`);
      let runs: RunRecord[];
      try {
        runs = await runTasks(spec, prepared.points, resume?.toRun ?? tasks, {
          workers,
          cost: (task) => prepared.pointWork[taskOf(spec, task).point]!,
          onRecord: (record) => resume?.checkpoint.record(resume.keys.get(record.task)!, record),
          onProgress: (done, all) => progress.update(done / all),
        });
      } finally {
        progress.stop();
      }

      if (shard !== null) {
        const all = [...resume!.finished, ...runs].sort((a, b) => a.task - b.task);
        const path = join(outDir, shardFileName(shard));
        writeFileAtomic(path, renderShardFile(prepared, version, shard, all));
        resume!.checkpoint.remove();
        io.stdout.write(`wrote ${path}\n`);
      } else {
        const { name, points, digest } = prepared;
        const data = { name, spec: prepared.spec, points, digest, version, runs };
        const written = writeFilesAtomic(outDir, sweepOutputFiles(data));
        for (const path of written) io.stdout.write(`wrote ${path}\n`);
        if (report.length > 0 || goal !== null) io.stdout.write(`\n${renderAnswerTable(data, report, goal)}`);
      }
      return EXIT.ok;
    }),
  );
}

interface ShardResume {
  /** The run key of each task of the shard. */
  keys: Map<number, string>;
  /** Runs the checkpoint already holds, with this sweep's task indices. */
  finished: RunRecord[];
  toRun: number[];
  checkpoint: CheckpointWriter;
}

/** Reads the shard's checkpoint (see sweep/checkpoint.ts): which runs are done, which are left. */
function resumeShard(
  io: CliIO,
  prepared: PreparedSweep,
  version: string,
  shardPath: string,
  tasks: readonly number[],
): ShardResume {
  const keys = new Map(
    tasks.map((task) => {
      const { point, seed } = taskOf(prepared.spec, task);
      return [task, runKey(version, prepared.pointDigests[point]!, seed)] as const;
    }),
  );
  const path = checkpointFileName(shardPath);
  const loaded = loadCheckpoint(path, new Set(keys.values()));
  if (loaded.note !== null) io.stdout.write(`${loaded.note}\n`);
  const checkpoint = new CheckpointWriter(path);
  const finished: RunRecord[] = [];
  const toRun: number[] = [];
  for (const task of tasks) {
    const key = keys.get(task)!;
    const done = loaded.finished.get(key);
    if (done === undefined) {
      toRun.push(task);
      continue;
    }
    finished.push({ task, engineEvents: done.engineEvents, figures: done.figures });
    checkpoint.add(key, done);
  }
  return { keys, finished, toRun, checkpoint };
}

/** A SweepError is bad input: printed on one line, exit code 2. */
export async function withSweepErrors(io: CliIO, command: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (!(err instanceof SweepError)) throw err;
    io.stderr.write(`drainsim ${command}: ${err.message}\n`);
    return EXIT.badInput;
  }
}

function seedList(first: number, count: number): number[] {
  if (!(Number.isInteger(count) && count >= 1))
    throw new SweepError(`--seeds must be a whole number ≥ 1, got ${count}`);
  if (!(Number.isInteger(first) && first >= 0)) throw new SweepError(`--seed must be a whole number ≥ 0, got ${first}`);
  return Array.from({ length: count }, (_, i) => first + i);
}

/** Seeds per grid point at most: each is a full run (the `across seeds` limit of expectations is 1000 too). */
const MAX_SWEEP_SEEDS = 1000;

export const sweepCommand: CommandModule<object, SweepArgs> = {
  command: 'sweep <scenario>',
  describe: 'Run a scenario over a grid of parameter values × seeds, in parallel; write CSVs and charts',
  builder: (y) =>
    y
      .positional('scenario', {
        type: 'string',
        demandOption: true,
        describe: 'A built-in scenario name or a YAML/JSON file',
      })
      .option('vary', {
        type: 'string',
        nargs: 1,
        demandOption: true,
        describe:
          'A parameter and its values: path=v1,v2,… or path=a..b:step (repeatable; the grid is every combination)',
        coerce: (value: string | string[]): string[] => ([] as string[]).concat(value),
      })
      .option('seeds', {
        ...wholeNumberOption('seeds', 1, MAX_SWEEP_SEEDS, 'Seeds per grid point (the same seeds at every point)'),
        default: 10,
      })
      .option('seed', { ...seedOptionFor('First seed: runs use seed, seed+1, …'), default: 1 })
      .option('set', setOption)
      .option('workers', { type: 'number', describe: "Worker threads (default: the machine's cores)" })
      .option('shard', {
        type: 'string',
        describe: 'Run slice i of n (1-based) and write a shard file for drainsim merge',
      })
      .option('out', { type: 'string', describe: 'Output directory (default out/sweep-<scenario>)' })
      .option('report', {
        type: 'string',
        describe:
          'Figures to print per point as mean [95% CI], comma-separated (e.g. ws_close_1006.total,errors.total)',
      })
      .option('goal', {
        type: 'string',
        describe: "A figure's target, e.g. 'ws_close_1006.total < 30': marks the points that meet it and the best one",
      })
      .example('$0 sweep hard-cut --vary clients.http.arrival_rate=30..120:30 --seeds 20', '4 load levels × 20 seeds')
      .example(
        '$0 sweep ws-stall --vary app.ws.session_ttl=5m,10m,30m --vary app.ws.drain_notice=true,false',
        'a 3 × 2 grid',
      )
      .example(
        '$0 sweep hard-cut --vary lb.balance=roundrobin,leastconn --shard 2/4 --out shards/',
        "one machine's quarter, for drainsim merge",
      ),
  handler: exitCodeHandler((args, io) => sweepCommandLine(args, io)),
};
