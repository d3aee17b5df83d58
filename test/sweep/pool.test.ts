/** The worker pool on real threads (compiled code in dist/: `npm test` builds it first). */
import { describe, expect, it } from 'vitest';
import { feedOrder, runTasks } from '../../sim/sweep/pool.js';
import { prepareSweep } from '../../sim/sweep/prepare.js';
import type { SweepSpec } from '../../sim/sweep/types.js';
import { parseVary } from '../../sim/sweep/vary.js';

const spec: SweepSpec = {
  scenario: 'hard-cut',
  sets: ['horizon=5s', 'warmup=5s'],
  vary: [parseVary('app.workers=48,24')],
  seeds: [1, 2],
};

describe('runTasks', () => {
  it('returns records in task order, with or without a progress callback', async () => {
    const { points } = prepareSweep(spec);
    const tasks = [3, 0, 2, 1];
    const quiet = await runTasks(spec, points, tasks, { workers: 2 });
    expect(quiet.map((r) => r.task)).toEqual(tasks);
    const progress: number[] = [];
    const watched = await runTasks(spec, points, tasks, {
      workers: 3,
      onProgress: (done, total) => progress.push(done / total),
    });
    expect(watched).toEqual(quiet);
    expect(progress).toEqual([0.25, 0.5, 0.75, 1]);
    expect(quiet[0]!.engineEvents).toBeGreaterThan(0);
    expect(quiet[0]!.figures['requests.total']).toBeGreaterThan(0);
  });

  it("rejects with the worker's error when a run fails", async () => {
    const { points } = prepareSweep(spec);
    const broken = { ...spec, scenario: 'no-such-scenario' };
    await expect(runTasks(broken, points, [0, 1], { workers: 1 })).rejects.toThrow(
      /sweep run 0 failed in a worker: .*no-such-scenario/s,
    );
  });

  it('hands out the costliest tasks first (ties in order) and still returns records in task order', async () => {
    expect(feedOrder([0, 1, 2, 3, 4], (t) => [5, 9, 5, 1, 9][t]!)).toEqual([1, 4, 0, 2, 3]);
    const prepared = prepareSweep(spec);
    // app.workers=24 queues more, so its estimate is not smaller; make the order explicit anyway.
    const cost = (task: number) => (task >= 2 ? 2 : 1);
    const arrived: number[] = [];
    const records = await runTasks(spec, prepared.points, [0, 1, 2, 3], {
      workers: 1,
      cost,
      onRecord: (r) => arrived.push(r.task),
    });
    // One worker runs them in the order handed out.
    expect(arrived).toEqual([2, 3, 0, 1]);
    expect(records.map((r) => r.task)).toEqual([0, 1, 2, 3]);
    expect(records).toEqual(await runTasks(spec, prepared.points, [0, 1, 2, 3], { workers: 2 }));
  });

  it('starts no worker for no tasks', async () => {
    expect(await runTasks(spec, [], [], { workers: 4 })).toEqual([]);
  });
});
