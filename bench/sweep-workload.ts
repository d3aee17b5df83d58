/**
 * Sweep throughput: the same small sweep (hard-cut, 2 points × 12 seeds, or fewer for --quick) on 1 and then 2 worker
 * threads, in runs per second. Each sweep runs in a fresh child process (this file, run
 * directly), which times only the runs — worker start-up included, process start-up and grid
 * validation not — so both measurements start equally cold. The child sets the V8 flags
 * bin/drainsim.js sets, so its workers are `drainsim sweep`'s. The harness is synchronous, hence
 * spawnSync.
 *
 * Wall time needs the second core idle, which a shared machine rarely has, so the child also
 * reports CPU time: the whole process's, and each thread's (Linux /proc/self/task). One worker
 * does not use one core: V8's helper threads (concurrent marking, parallel scavenge, background
 * compilation) run beside it on the other core, so with two workers both compete for it too.
 * From those times the bench projects the speed-up on an idle 2-core machine (projectedSpeedup).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SweepSpec } from '../sim/sweep/types.js';
import { limitHeapGrowth } from '../sim/util/heap-growth.js';
import type { Workload, WorkloadResult } from './workload.js';

// The simulator's modules (the sweep pool, the scenario schema behind it) are imported in the
// child only, after limitHeapGrowth() (measureInChild): static imports would all be loaded before
// this module's body runs, and loading them grows V8's young generation to 2 × 16 MB, which the
// growth factor 1 then keeps — the parent thread would not have `drainsim sweep`'s nursery (as the
// bench's other children, pair-child.ts and worker.ts, since 5099793). Only erased type imports above.
const CHILD_FLAG = '--sweep-throughput-child';

interface ChildResult {
  runs: number;
  seconds: number;
  events: number;
  /** Process CPU seconds (every thread) over the runs. */
  cpuSeconds: number;
  /** CPU seconds of the busiest `workers` threads (the workers' JavaScript threads); NaN off Linux. */
  workerThreadSeconds: number;
}

/** CPU seconds of each thread of this process (utime + stime from /proc/self/task/<tid>/stat). */
function threadCpuSeconds(): number[] {
  try {
    return readdirSync('/proc/self/task').map((tid) => {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Fields after the command name, which is in parentheses and may hold spaces.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
    });
  } catch {
    return [];
  }
}

/** In the child: run the sweep on `workers` threads and report what it did and how long it took. */
async function measureInChild(workers: number, seeds: number): Promise<ChildResult> {
  const { runTasks } = await import('../sim/sweep/pool.js');
  const { prepareSweep } = await import('../sim/sweep/prepare.js');
  const { taskOf } = await import('../sim/sweep/types.js');
  const { parseVary } = await import('../sim/sweep/vary.js');
  const SPEC: SweepSpec = {
    scenario: 'hard-cut',
    sets: [],
    vary: [parseVary('lb.retries=3,2')],
    seeds: Array.from({ length: seeds }, (_, i) => i + 1),
  };
  const prepared = prepareSweep(SPEC);
  const tasks = Array.from({ length: prepared.points.length * SPEC.seeds.length }, (_, t) => t);
  const before = threadCpuSeconds();
  const cpuBefore = process.cpuUsage();
  const start = process.hrtime.bigint();
  let threads: number[] = [];
  const records = await runTasks(SPEC, prepared.points, tasks, {
    workers,
    // As `drainsim sweep` hands them out: the points with the most estimated work first.
    cost: (task) => prepared.pointWork[taskOf(SPEC, task).point]!,
    // Read while the workers still exist: the pool ends them right after the last record.
    onProgress: (done, total) => {
      if (done === total) threads = threadCpuSeconds();
    },
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  // New threads are the workers and whatever they started; the main thread's share is tiny.
  const busiest = threads.slice(before.length).sort((a, b) => b - a);
  const workerThreadSeconds =
    busiest.length >= workers ? busiest.slice(0, workers).reduce((sum, t) => sum + t, 0) : Number.NaN;
  return {
    runs: records.length,
    seconds,
    events: records.reduce((sum, r) => sum + r.engineEvents, 0),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    workerThreadSeconds,
  };
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
  description: 'hard-cut sweep, 2 points × 12 seeds: runs/s on 1 and on 2 worker threads, twice alternately',
  run(): WorkloadResult {
    const r = measureSweep(12, 2);
    console.log(
      `sweep            ${r.runs} runs: 1 worker ${r.runsPerSec1Worker.toFixed(2)} runs/s, 2 workers ${r.runsPerSec2Workers.toFixed(2)} runs/s, speed-up ${r.speedup.toFixed(2)}× (CPU per run ${r.cpuPerRun1Worker.toFixed(2)} s vs ${r.cpuPerRun2Workers.toFixed(2)} s; projected on idle cores ${r.projectedSpeedup.toFixed(2)}×)`,
    );
    return r;
  },
};

/**
 * The sweep on 1 and on 2 worker threads, each in a fresh child process, alternately `repeats`
 * times (1, 2, 1, 2, …) as the side-by-side pairs run, so a change in the machine's load hits both
 * sides alike. Runs per second are each side's fastest sweep; the projection takes each side's
 * sweep with the least CPU per run (the one least disturbed by other processes).
 */
export function measureSweep(
  seeds: number,
  repeats = 1,
): WorkloadResult & {
  runsPerSec1Worker: number;
  runsPerSec2Workers: number;
  speedup: number;
  cpuPerRun1Worker: number;
  cpuPerRun2Workers: number;
  coresUsedBy1Worker: number;
  projectedSpeedup: number;
} {
  const ones: ChildResult[] = [];
  const twos: ChildResult[] = [];
  for (let i = 0; i < repeats; i++) {
    ones.push(runChild(1, seeds));
    twos.push(runChild(2, seeds));
  }
  const fastest = (rs: ChildResult[]) => Math.max(...rs.map((r) => r.runs / r.seconds));
  const leastCpu = (rs: ChildResult[]) => rs.reduce((a, b) => (b.cpuSeconds / b.runs < a.cpuSeconds / a.runs ? b : a));
  const one = leastCpu(ones);
  const two = leastCpu(twos);
  const perSecond1 = fastest(ones);
  const perSecond2 = fastest(twos);
  // On an idle 2-core machine a sweep takes at least its busiest thread's time and at least its
  // CPU time over the two cores; one worker is bound by its own thread, two by the cores.
  const wall1 = Math.max(one.workerThreadSeconds, one.cpuSeconds / 2);
  const wall2 = Math.max(two.workerThreadSeconds / 2, two.cpuSeconds / 2);
  const sum = (rs: ChildResult[], f: (r: ChildResult) => number) => rs.reduce((t, r) => t + f(r), 0);
  return {
    events: sum(ones, (r) => r.events) + sum(twos, (r) => r.events),
    runs: sum(ones, (r) => r.runs) + sum(twos, (r) => r.runs),
    runsPerSec1Worker: perSecond1,
    runsPerSec2Workers: perSecond2,
    speedup: perSecond2 / perSecond1,
    cpuPerRun1Worker: one.cpuSeconds / one.runs,
    cpuPerRun2Workers: two.cpuSeconds / two.runs,
    coresUsedBy1Worker: one.cpuSeconds / one.workerThreadSeconds,
    projectedSpeedup: (wall1 / wall2) * (two.runs / one.runs),
  };
}

if (process.argv[2] === CHILD_FLAG) {
  // As bin/drainsim.js does first: `drainsim sweep`'s workers run with this process-wide V8 flag,
  // set before measureInChild loads the simulator.
  limitHeapGrowth();
  measureInChild(Number(process.argv[3]), Number(process.argv[4] ?? 12)).then(
    (result) => process.stdout.write(JSON.stringify(result)),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
