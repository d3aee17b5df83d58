import { describe, expect, it } from 'vitest';
import { checkExpectations, evaluateExpectations } from '../../sim/expect/check.js';
import { syntheticRun } from './synthetic-run.js';

const run = syntheticRun();

function one(text: string) {
  const [result] = evaluateExpectations(run, [text], 'synthetic.yaml');
  return result!;
}

describe('figures', () => {
  it('compares a figure with each operator', () => {
    expect(one('vm-b.reset_out.total == 7')).toMatchObject({ passed: true, actual: 7 });
    expect(one('vm-b.reset_out.total != 7').passed).toBe(false);
    expect(one('vm-b.reset_out.total < 7').passed).toBe(false);
    expect(one('vm-b.reset_out.total <= 7').passed).toBe(true);
    expect(one('vm-b.reset_out.total > 6').passed).toBe(true);
    expect(one('vm-b.reset_out.total >= 8').passed).toBe(false);
    expect(one('reset_out.peak_per_s == 5').passed).toBe(true);
  });

  it('says what was expected when a figure fails, and pins a total to the sample where it went wrong', () => {
    // 0 0 0 5 …: the running total first exceeds 0 at the 4 s sample.
    expect(one('reset_out.total == 0')).toMatchObject({ passed: false, actual: 7, at: 4, message: 'expected == 0' });
    // 5 is still allowed, 5 + 2 is not: pinned to the 5 s sample.
    expect(one('reset_out.total <= 5')).toMatchObject({ passed: false, at: 5 });
    expect(one('vm-b.active_conn.max < 10')).toMatchObject({ passed: false, at: 1 });
  });

  it('fails a figure with no value with a reason instead of throwing', () => {
    const r = one('drain.vm-b.completed_within <= 5s');
    expect(r).toMatchObject({ passed: false, actual: null });
    expect(r.message).toContain('the drain never completed');
    // Pinned to the moment the drain should have been over: started at 3 s, plus 5 s.
    expect(r.at).toBe(8);
  });

  it('does not pin or explain a passing assertion', () => {
    const r = one('errors.total == 0');
    expect(r).toEqual({ text: 'errors.total == 0', passed: true, actual: 0, seed: 1 });
  });
});

describe('values', () => {
  it('reads durations in seconds and percentages as fractions', () => {
    expect(one('request_latency.p99 < 100ms').passed).toBe(true);
    expect(one('request_latency.p99 < 99ms').passed).toBe(false);
    expect(one('drain.vm-b.timed_out >= 100%').passed).toBe(true);
    expect(one('drain.vm-b.started_at == 3s').passed).toBe(true);
  });

  it('checks within a relative or an absolute tolerance', () => {
    expect(one('reset_out.total within 20% of 8').passed).toBe(true);
    expect(one('reset_out.total within 10% of 8').passed).toBe(false);
    expect(one('reset_out.total within 1 of 8').passed).toBe(true);
    expect(one('reset_out.total within 0.5 of 8')).toMatchObject({
      passed: false,
      message: 'expected within 0.5 of 8 (7.5 to 8.5)',
    });
  });
});

describe('timeline windows', () => {
  it('aggregates one entity over a window', () => {
    expect(one('max(reset_out@vm-b) over [0s, 10s] == 5').passed).toBe(true);
    expect(one('sum(reset_out@vm-b) over [0s, 10s] == 7').passed).toBe(true);
    expect(one('mean(active_conn@vm-b) over [start, end] == 3').passed).toBe(true);
    expect(one('min(active_conn) over [0s, 3s] == 20').passed).toBe(true);
    expect(one('first(active_conn@vm-b) over [4s, 10s] == 0').passed).toBe(true);
    expect(one('last(active_conn@vm-a) over [4s, 10s] == 10').passed).toBe(true);
  });

  it('defaults to the total and to the whole run', () => {
    expect(one('max(reset_out) == 5').passed).toBe(true);
    expect(one('sum(reset_out) == 7').passed).toBe(true);
  });

  it('counts a counter sample when its interval overlaps the window', () => {
    // The 4 s sample counts (3 s, 4 s], so a window ending at 3 s excludes it and one starting at 3 s includes it.
    expect(one('max(reset_out) over [0s, 3s] == 0').passed).toBe(true);
    expect(one('max(reset_out) over [3s, 3.5s] == 5').passed).toBe(true);
    // The 4 s sample ends where [4s, 10s] begins: it counted nothing inside the window.
    expect(one('max(reset_out) over [4s, 10s] == 2').passed).toBe(true);
  });

  it('takes a gauge sample when its time lies inside the window', () => {
    expect(one('max(active_conn@vm-b) over [3s, 10s] == 10').passed).toBe(true);
    expect(one('max(active_conn@vm-b) over [3.5s, 10s] == 0').passed).toBe(true);
  });

  it('reads wall-clock times on the run clock', () => {
    expect(one('max(reset_out) over [14:00:04, 14:00:10] == 2').passed).toBe(true);
    expect(one('max(reset_out) over [14:00:03, 14:00:10] == 5').passed).toBe(true);
  });

  it('pins a failed window to its worst sample', () => {
    expect(one('max(reset_out) over [2s, 8s] == 0')).toMatchObject({ passed: false, actual: 5, at: 4 });
    expect(one('min(active_conn@vm-b) over [0s, 10s] > 0')).toMatchObject({ passed: false, actual: 0, at: 4 });
    expect(one('mean(reset_out@vm-b) over [0s, 10s] < 0.5')).toMatchObject({ passed: false, actual: 0.7, at: 4 });
  });

  it('reads one sample with value … at', () => {
    expect(one('value(active_conn@vm-b) at 3s == 10').passed).toBe(true);
    // A gauge between samples holds its last sampled value.
    expect(one('value(active_conn@vm-b) at 3.5s == 10').passed).toBe(true);
    // A counter at 3.5 s is the sample counting (3 s, 4 s].
    expect(one('value(reset_out@vm-b) at 3.5s == 5').passed).toBe(true);
    expect(one('value(active_conn@vm-b) at 14:00:05 >= 1')).toMatchObject({ passed: false, actual: 0, at: 5 });
  });
});

describe('histograms', () => {
  it('reads a histogram statistic', () => {
    expect(one('p99(request_latency) == 99ms').passed).toBe(true);
    expect(one('p50(request_latency) == 50ms').passed).toBe(true);
    expect(one('count(request_latency) == 100').passed).toBe(true);
    expect(one('max(request_latency) <= 100ms').passed).toBe(true);
    // A bare number for a figure in seconds is refused (issue 16): it silently meant seconds.
    expect(() => one('max(request_latency) <= 0.1')).toThrow(/'0\.1' has no unit, but request_latency is in seconds/);
    expect(one('mean(request_latency) > 60ms')).toMatchObject({ passed: false, actual: 0.0505 });
  });
});

describe('across seeds in a single run', () => {
  it('is reported as not evaluated, and passes', () => {
    const r = one('p90(errors.total) == 0 across seeds 1..10');
    expect(r.passed).toBe(true);
    expect(r.message).toContain("'drainsim check' runs seeds 1..10");
  });
});

describe('checkExpectations', () => {
  it('returns the summary.json shape, without the seed', () => {
    const [r] = checkExpectations(run, ['reset_out.total == 0'], 'synthetic.yaml');
    expect(r).toEqual({ text: 'reset_out.total == 0', passed: false, actual: 7, at: 4, message: 'expected == 0' });
  });
});
