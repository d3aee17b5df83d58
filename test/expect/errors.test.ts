/** An assertion that cannot be read is a scenario error naming expect[i] and the nearest valid name — never a pass. */
import { describe, expect, it } from 'vitest';
import { evaluateExpectations } from '../../sim/expect/check.js';
import { ScenarioError } from '../../sim/scenario/errors.js';
import { syntheticRun } from './synthetic-run.js';

const run = syntheticRun();

function errorOf(...exprs: string[]): ScenarioError {
  try {
    evaluateExpectations(run, exprs, 'my.yaml');
  } catch (err) {
    if (err instanceof ScenarioError) return err;
    throw err;
  }
  throw new Error(`no error for ${exprs.join(' / ')}`);
}

function line(expr: string): string {
  return errorOf(expr).format();
}

describe('unknown names', () => {
  it('names the figure, the assertion and the nearest figure', () => {
    expect(line('erors.total == 0')).toBe(
      "my.yaml: expect[0]: 'erors.total == 0': unknown figure 'erors.total'; did you mean 'errors.total'?",
    );
  });

  it('suggests the nearest series, backend, histogram and function', () => {
    expect(errorOf('max(reset_ot) over [2s, 3s] == 0').issues[0]).toMatchObject({
      path: 'expect[0]',
      suggestion: 'reset_out',
    });
    expect(errorOf('max(reset_out@vm-c) over [2s, 3s] == 0').issues[0]).toMatchObject({ suggestion: 'vm-a' });
    expect(line('max(reset_out@vm-z) over [2s, 3s] == 0')).toContain('entities are vm-a, vm-b, total');
    expect(errorOf('p99(request_latncy) < 1s').issues[0]).toMatchObject({ suggestion: 'request_latency' });
    expect(errorOf('mx(reset_out) over [2s, 3s] == 0').issues[0]).toMatchObject({ suggestion: 'max' });
    expect(errorOf('p90(request_latency) < 1s').issues[0]!.message).toContain(
      'use one of p50, p95, p99, max, mean, count',
    );
  });

  it('tells a series, a histogram and a figure apart', () => {
    expect(line('reset_out == 0')).toContain(
      "'reset_out' is a timeline series, not a figure; write e.g. max(reset_out) over [2m, 3m], or a figure such as reset_out.total",
    );
    expect(line('request_latency < 1s')).toContain('write e.g. p99(request_latency)');
    expect(line('max(request_latency) over [0s, 2s] < 1s')).toContain('is a histogram, which has no timeline');
    expect(line('p90(errors.total) == 0')).toContain('write p90(errors.total) … across seeds 1..10');
  });

  it('reports every bad assertion at once, and none of the good ones', () => {
    const err = errorOf('errors.total == 0', 'erors.total == 0', 'max(reset_out) over [0s, 99s] == 0');
    expect(err.issues.map((i) => i.path)).toEqual(['expect[1]', 'expect[2]']);
  });
});

describe('bad syntax and times', () => {
  it.each([
    ['errors.total = 0', "'=' is not a comparison: write '=='"],
    ['errors.total', 'expected a comparison'],
    ['errors.total == ', 'expected a number, a duration (5m) or a percentage (99.9%), found the end of the assertion'],
    ['errors.total == 0 and more', "expected the end of the assertion or 'across seeds …', found 'and more'"],
    ['max(reset_out) over [2s 3s] == 0', "expected ',' between the window's start and end"],
    ['max(reset_out) over [2s, 30] == 0', "unit-less duration '30'"],
    ['max(reset_out) over [2s, 99s] == 0', 'after the end of the run: the run covers 14:00:00 to 14:00:10 (0s to 10s)'],
    ['max(reset_out) over [14:10, 14:11] == 0', 'after the end of the run'],
    ['max(reset_out) over [5s, 2s] == 0', 'ends before it starts'],
    ['max(active_conn) over [3.2s, 3.5s] == 0', 'holds no sample of active_conn: samples are taken every 1s'],
    ['value(active_conn) at 0.5s == 0', 'no sample of active_conn at 0.5s'],
    ['value(active_conn) over [1s, 2s] == 0', "value(…) reads one sample 'at <time>'"],
    ['max(active_conn) at 2s == 0', 'write value(active_conn) at 2s'],
    ['errors.total == 14:02', 'is a wall-clock time, not a value'],
    ['errors.total == 5 minutes', "found 'minutes'"],
    ['errors.total == 5mins', "unknown unit 'mins'"],
    ['errors.total within -5% of 3', "cannot read percentage '-5%'"],
    ['p90(errors.total) == 0 across seeds 3..1', 'seed range 3..1 runs backwards'],
    ['p90(errors.total) == 0 across seeds 1..5000', 'more than 1000 seeds'],
    ['p90(errors.total) == 0 across 1..3', "expected 'seeds' after 'across'"],
    [
      'p90(errors.total) == 0 across seeds',
      'expected a seed (a whole number 0 or more), found the end of the assertion',
    ],
    ['p90(errors.total) == 0 across seeds 1..3: extra', "expected the end of the assertion, found ': extra'"],
    ['across seeds 1..3 p90(errors.total) == 0', "expected ':' after the seeds"],
    [
      'across seeds 1..3: p90(errors.total) == 0 across seeds 4',
      "expected the end of the assertion, found 'across seeds 4'",
    ],
    ['p90(errors.total) over [1s, 2s] == 0 across seeds 1..3', "'over' and 'at' belong inside p90(…)"],
    ['p91x(errors.total) == 0 across seeds 1..3', "'p91x' is not a function of values across seeds"],
  ])('%s', (expr, message) => {
    expect(line(expr)).toContain(message);
  });

  it('suggests the keyword a near miss meant', () => {
    expect(errorOf('max(reset_out) ovr [2s, 3s] == 0').issues[0]).toMatchObject({ suggestion: 'over' });
    expect(errorOf('errors.total withn 5 of 0').issues[0]).toMatchObject({ suggestion: 'within' });
    expect(errorOf('acros seeds 1..3: p90(errors.total) == 0').issues[0]).toMatchObject({ suggestion: 'across' });
    expect(errorOf('p90(errors.total) == 0 acros seeds 1..3').issues[0]).toMatchObject({ suggestion: 'across' });
  });
});
