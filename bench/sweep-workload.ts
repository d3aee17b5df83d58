/**
 * Sweep throughput: the same small sweep (hard-cut, 2 points × 12 seeds, or fewer for --quick) on 1 and then 2 worker
 * threads, in runs per second. Each sweep runs in a fresh child process (this file, run
 * directly), which times only the runs — worker start-up included, process start-up and grid
 * validation not — so both measurements start equally cold. The harness is synchronous, hence
 * spawnSync.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runTasks } from '../sim/sweep/pool.js';
import { prepareSweep } from '../sim/sweep/prepare.js';
import type { SweepSpec } from '../sim/sweep/types.js';
import { parseVary } from '../sim/sweep/vary.js';
import type { Workload, WorkloadResult } from './workload.js';

const spec = (seeds: number): SweepSpec => ({
  scenario: 'hard-cut',
  sets: [],
  vary: [parseVary('lb.retries=3,2')],
  seeds: Array.from({ length: seeds }, (_, i) => i + 1),
});
const CHILD_FLAG = '--sweep-throughput-child';

interface ChildResult {
  runs: number;
  seconds: number;
  events: number;
}

/** In the child: run the sweep on `workers` threads and report what it did and how long it took. */
async function measureInChild(workers: number, seeds: number): Promise<ChildResult> {
  const SPEC = spec(seeds);
  const prepared = prepareSweep(SPEC);
  const tasks = Array.from({ length: prepared.points.length * SPEC.seeds.length }, (_, t) => t);
  const start = process.hrtime.bigint();
  const records = await runTasks(SPEC, prepared.points, tasks, { workers });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { runs: records.length, seconds, events: records.reduce((sum, r) => sum + r.engineEvents, 0) };
}

function runChild(workers: number, seeds: number): ChildResult {
  const child = spawnSync(
    process.execPath,
    [fileURLToPath(import.meta.url), CHILD_FLAG, String(workers), String(seeds)],
    { encoding: 'utf8' },
  );
  if (child.status !== 0)
    throw new Error(`sweep bench child (${workers} workers) failed: ${child.stderr || child.error?.message}`);
  return JSON.parse(child.stdout) as ChildResult;
}

export const sweepWorkload: Workload = {
  name: 'sweep',
  description: 'hard-cut sweep, 2 points × 12 seeds: runs/s on 1 and on 2 worker threads',
  run(): WorkloadResult {
    const r = measureSweep(12);
    console.log(
      `sweep            ${r.runs} runs: 1 worker ${r.runsPerSec1Worker.toFixed(2)} runs/s, 2 workers ${r.runsPerSec2Workers.toFixed(2)} runs/s, speed-up ${r.speedup.toFixed(2)}×`,
    );
    return r;
  },
};

/** The sweep on 1 and then on 2 worker threads, each in a fresh child process. */
export function measureSweep(
  seeds: number,
): WorkloadResult & { runsPerSec1Worker: number; runsPerSec2Workers: number; speedup: number } {
  const one = runChild(1, seeds);
  const two = runChild(2, seeds);
  const perSecond1 = one.runs / one.seconds;
  const perSecond2 = two.runs / two.seconds;
  return {
    events: one.events + two.events,
    runs: one.runs + two.runs,
    runsPerSec1Worker: perSecond1,
    runsPerSec2Workers: perSecond2,
    speedup: perSecond2 / perSecond1,
  };
}

if (process.argv[2] === CHILD_FLAG) {
  measureInChild(Number(process.argv[3]), Number(process.argv[4] ?? 12)).then(
    (result) => process.stdout.write(JSON.stringify(result)),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
