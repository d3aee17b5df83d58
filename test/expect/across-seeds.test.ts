import { describe, expect, it } from 'vitest';
import { evaluateExpectations } from '../../sim/expect/check.js';
import type { RunResult } from '../../sim/result.js';
import { syntheticRun } from './synthetic-run.js';

/** errors.total by seed: seed 3 has 4 errors, seed 7 has 1, every other seed none. */
const ERRORS: Record<number, number> = { 3: 4, 7: 1 };

function runOf(seed: number): RunResult {
  const run = syntheticRun(seed);
  run.figures['errors.total'] = ERRORS[seed] ?? 0;
  return run;
}

function evaluate(exprs: string[], baseSeed = 1) {
  const ran: number[] = [];
  const runSeed = (seed: number): RunResult => {
    ran.push(seed);
    return runOf(seed);
  };
  return { verdicts: evaluateExpectations(runOf(baseSeed), exprs, 'my.yaml', { runSeed }), ran };
}

describe('across seeds', () => {
  it('takes a nearest-rank percentile, so the value belongs to a seed that can be replayed', () => {
    const { verdicts } = evaluate([
      'p90(errors.total) == 0 across seeds 1..10',
      'p80(errors.total) == 0 across seeds 1..10',
    ]);
    expect(verdicts[0]).toMatchObject({ passed: false, actual: 1, seed: 7 });
    expect(verdicts[0]!.message).toBe('p90 over seeds 1..10 (seed 7); expected == 0');
    expect(verdicts[1]).toMatchObject({ passed: true, actual: 0 });
  });

  it('supports max, min, median and mean across seeds', () => {
    const { verdicts } = evaluate([
      'max(errors.total) <= 3 across seeds 1..10',
      'min(errors.total) == 0 across seeds 1..10',
      'median(errors.total) == 0 across seeds 1..10',
      'mean(errors.total) < 0.5 across seeds 1..10',
    ]);
    expect(verdicts.map((v) => v.passed)).toEqual([false, true, true, false]);
    expect(verdicts[0]).toMatchObject({ actual: 4, seed: 3 });
    // A mean belongs to no seed: the report shows the seed that pulled it up most.
    expect(verdicts[3]).toMatchObject({ actual: 0.5, seed: 3 });
  });

  it('without an aggregate, requires the check of every seed and names the failing ones', () => {
    const { verdicts } = evaluate([
      'errors.total == 0 across seeds 1..10',
      'errors.total == 0 across seeds 1, 2, 4..6',
    ]);
    expect(verdicts[0]).toMatchObject({ passed: false, actual: 4, seed: 3 });
    expect(verdicts[0]!.message).toBe('fails for 2 of 10 seeds (3, 7); seed 3: expected == 0');
    expect(verdicts[1]).toMatchObject({ passed: true, actual: 0 });
    expect(verdicts[1]!.message).toBe('holds for all 5 seeds (1, 2, 4, 5, 6); worst is seed 1');
  });

  it('pins a failing seed to its worst sample', () => {
    const { verdicts } = evaluate(['max(reset_out) over [0s, 10s] == 0 across seeds 1..3']);
    expect(verdicts[0]).toMatchObject({ passed: false, actual: 5, seed: 1, at: 4 });
  });

  it('fails an aggregate when a seed has no value', () => {
    const { verdicts } = evaluate(['p50(drain.vm-b.completed_within) < 1m across seeds 1..3']);
    expect(verdicts[0]).toMatchObject({ passed: false, actual: null, seed: 1 });
    expect(verdicts[0]!.message).toContain('no value for seeds 1, 2, 3');
    expect(verdicts[0]!.message).toContain('the drain never completed');
  });

  it('accepts the seeds first, followed by a colon (for quoted YAML strings and JSON)', () => {
    const { verdicts } = evaluate(['across seeds 1..10: p90(errors.total) == 0']);
    expect(verdicts[0]).toMatchObject({ passed: false, actual: 1, seed: 7 });
  });

  it('runs each seed once for all assertions, reusing the run it was given', () => {
    const { ran } = evaluate(
      ['p90(errors.total) == 0 across seeds 1..4', 'errors.total == 0 across seeds 3..6', 'errors.total == 0'],
      5,
    );
    expect(ran).toEqual([1, 2, 3, 4, 6]);
  });

  it('judges single-run assertions on the run it was given', () => {
    const { verdicts } = evaluate(['errors.total == 0'], 3);
    expect(verdicts[0]).toMatchObject({ passed: false, actual: 4, seed: 3 });
  });
});
