/**
 * What the `total` row of the open-loop series holds (README, Outputs): like HAProxy's BACKEND
 * line in `show stat` beside its server lines, it counts every request, while a backend row counts
 * only what reached that backend. `offered` is total-only (a request is offered before the LB picks
 * a backend); `attempts`, `goodput`, `wasted` always have a backend, so total == sum of backends;
 * `req_5xx`, `req_timeouts`, `req_failed` also count requests that never reached one (HAProxy's own
 * 503 when no server is up, a client timeout before dispatch), so total ≥ sum.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../sim/result.js';
import { runBuiltin } from '../model/helpers.js';

/** Per sample: [total row, sum of the backend rows] of one series. */
function totalAndSum(r: RunResult, name: string): Array<[number, number]> {
  const { timeline } = r;
  const si = timeline.series.findIndex((s) => s.name === name);
  if (si < 0) throw new Error(`no series ${name}`);
  const totalIdx = timeline.entities.indexOf('total');
  const byTime = new Map<number, [number, number]>();
  for (let i = 0; i < timeline.t.length; i++) {
    const row = byTime.get(timeline.t[i]!) ?? [0, 0];
    if (timeline.entity[i] === totalIdx) row[0] += timeline.values[si]![i]!;
    else row[1] += timeline.values[si]![i]!;
    byTime.set(timeline.t[i]!, row);
  }
  return [...byTime.values()];
}

const sumOf = (rows: Array<[number, number]>, k: 0 | 1) => rows.reduce((a, row) => a + row[k], 0);

describe('total row of the open-loop series', () => {
  // Every backend DOWN behind deep checks: HAProxy answers 503 itself for most requests.
  let r: RunResult;
  beforeAll(() => {
    r = runBuiltin('deep-check-slow-db');
  });

  it('offered is counted in the total row only', () => {
    const rows = totalAndSum(r, 'offered');
    expect(sumOf(rows, 1)).toBe(0);
    expect(sumOf(rows, 0)).toBe(r.figures['offered.total']);
    expect(sumOf(rows, 0)).toBeGreaterThan(0);
  });

  it('attempts, goodput and wasted: total == sum of the backends in every sample', () => {
    for (const name of ['attempts', 'goodput', 'wasted']) {
      const rows = totalAndSum(r, name);
      for (const [total, sum] of rows) expect(total, name).toBe(sum);
    }
    expect(sumOf(totalAndSum(r, 'attempts'), 0)).toBeGreaterThan(0);
  });

  it('req_5xx, req_timeouts, req_failed: total ≥ sum, the difference being requests no backend saw', () => {
    for (const name of ['req_5xx', 'req_timeouts', 'req_failed']) {
      for (const [total, sum] of totalAndSum(r, name)) expect(total, name).toBeGreaterThanOrEqual(sum);
    }
    // The LB's own 503s (no server available) are in the total row and in no backend's.
    const fiveXX = totalAndSum(r, 'req_5xx');
    expect(sumOf(fiveXX, 0)).toBeGreaterThan(sumOf(fiveXX, 1));
  });
});
