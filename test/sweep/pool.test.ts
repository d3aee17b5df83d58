/** The worker pool on real threads (compiled code in dist/: `npm test` builds it first). */
import { describe, expect, it } from 'vitest';
import { runTasks } from '../../sim/sweep/pool.js';
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

  it('starts no worker for no tasks', async () => {
    expect(await runTasks(spec, [], [], { workers: 4 })).toEqual([]);
  });
});
