/**
 * A hand-made RunResult whose every number is known, so window, pin and verdict rules can be
 * checked exactly. Figures are written out, named as sim/figures.ts names them.
 *
 * 10 samples of 1 s from 14:00:00; backends vm-a and vm-b.
 *   reset_out (counter) @vm-b: 0 0 0 5 2 0 0 0 0 0   (@vm-a all 0)
 *   active_conn (gauge) @vm-a: 10 each;  @vm-b: 10 10 10 0 0 0 0 0 0 0
 * A drain of vm-b starts at 3 s and never completes; request_latency holds 1..100 ms.
 */
import { Histogram } from '../../sim/metrics/histogram.js';
import type { RunResult, Timeline } from '../../sim/result.js';
import { logLine } from '../reports/fixture.js';

const RESET_B = [0, 0, 0, 5, 2, 0, 0, 0, 0, 0];
const ACTIVE_B = [10, 10, 10, 0, 0, 0, 0, 0, 0, 0];

export function syntheticTimeline(): Timeline {
  const tl: Timeline = {
    interval: 1,
    entities: ['vm-a', 'vm-b', 'total'],
    series: [
      { name: 'reset_out', kind: 'counter', unit: 'conn', description: 'RSTs sent' },
      { name: 'active_conn', kind: 'gauge', unit: 'conn', description: 'flows' },
    ],
    t: [],
    entity: [],
    values: [[], []],
  };
  for (let k = 1; k <= 10; k++) {
    const rows: [number, number][] = [
      [0, 10],
      [RESET_B[k - 1]!, ACTIVE_B[k - 1]!],
    ];
    rows.push([rows[0]![0] + rows[1]![0], rows[0]![1] + rows[1]![1]]);
    rows.forEach(([reset, active], e) => {
      tl.t.push(k);
      tl.entity.push(e);
      tl.values[0]!.push(reset);
      tl.values[1]!.push(active);
    });
  }
  return tl;
}

export function syntheticRun(seed = 1): RunResult {
  const timeline = syntheticTimeline();
  const latency = new Histogram();
  for (let ms = 1; ms <= 100; ms++) latency.record(ms / 1000);
  const h = latency.summary();
  return {
    scenario: { name: 'synthetic', file: 'synthetic.yaml', description: '' },
    seed,
    version: '0.0.0',
    start: '14:00:00',
    horizon: 10,
    resolved: {},
    figures: {
      'active_conn.final': 10,
      'active_conn.max': 20,
      'errors.peak_per_s': 0,
      'errors.total': 0,
      'reset_out.peak_per_s': 5,
      'reset_out.total': 7,
      'vm-a.active_conn.final': 10,
      'vm-a.active_conn.max': 10,
      'vm-a.reset_out.peak_per_s': 0,
      'vm-a.reset_out.total': 0,
      'vm-b.active_conn.final': 0,
      'vm-b.active_conn.max': 10,
      'vm-b.reset_out.peak_per_s': 5,
      'vm-b.reset_out.total': 7,
      'drain.vm-b.started_at': 3,
      'drain.vm-b.completed_within': null,
      'drain.vm-b.timed_out': 1,
      'request_latency.count': h.count,
      'request_latency.mean': h.mean,
      'request_latency.p50': h.p50,
      'request_latency.p95': h.p95,
      'request_latency.p99': h.p99,
      'request_latency.max': h.max,
    },
    histograms: { request_latency: h },
    timeline,
    events: [
      logLine(2.5, 'lb', 'backend vm-b draining'),
      logLine(4, 'nginx', 'vm-b: recv() failed (104: Connection reset by peer)'),
    ],
    expectations: [],
    engineEvents: 0,
  };
}
