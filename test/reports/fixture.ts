/**
 * A small, fixed RunResult for report tests: two backends plus total, five 10-second samples,
 * vm-a drained at 10 s with resets at 30 s. Values include float noise (30.000000000000004) so
 * rounding shows in the goldens.
 */
import type { LogLine, RunResult } from '../../sim/result.js';

/** A free-text log line for report tests; its record is a timeline note with the same text. */
export function logLine(t: number, source: string, text: string): LogLine {
  return { t, source, text, record: { t, kind: 'deploy.note', text }, folded: 0 };
}

const entities = ['vm-a', 'vm-b', 'total'];
const t = [10, 20, 30, 40, 50];

// Per series, per sample: [vm-a, vm-b]; total is their sum.
const perBackend: Record<string, [number, number][]> = {
  active_conn: [
    [600, 600],
    [598, 640],
    [0, 1197],
    [0, 1190],
    [0, 1188],
  ],
  new_conn: [
    [40, 40],
    [0, 80],
    [0, 80],
    [0, 80],
    [0, 80],
  ],
  reset_out: [
    [0, 0],
    [0, 0],
    [42, 0],
    [0, 0],
    [0, 0],
  ],
  time_wait: [
    [3, 3],
    [3, 4],
    [1.5, 4.000000000000001],
    [0, 4],
    [0, 4],
  ],
  errors: [
    [0, 0],
    [0, 0],
    [0, 0],
    [0, 0],
    [0, 0],
  ],
};

function buildTimeline(): RunResult['timeline'] {
  const names = Object.keys(perBackend);
  const rowT: number[] = [];
  const rowEntity: number[] = [];
  const values: number[][] = names.map(() => []);
  t.forEach((time, sample) => {
    for (let e = 0; e < entities.length; e++) {
      rowT.push(time);
      rowEntity.push(e);
      names.forEach((name, s) => {
        const [a, b] = perBackend[name]![sample]!;
        values[s]!.push(e === 0 ? a : e === 1 ? b : a + b);
      });
    }
  });
  return {
    interval: 10,
    entities,
    series: [
      { name: 'active_conn', kind: 'gauge', unit: 'connections', description: 'Established connections at sample end' },
      { name: 'new_conn', kind: 'counter', unit: 'connections', description: 'Connections accepted in the interval' },
      { name: 'reset_out', kind: 'counter', unit: 'packets', description: 'RSTs sent in the interval' },
      { name: 'time_wait', kind: 'gauge', unit: 'sockets', description: 'Sockets in TIME_WAIT at sample end' },
      { name: 'errors', kind: 'counter', unit: 'requests', description: 'Requests answered with an error' },
    ],
    t: Float64Array.from(rowT),
    entity: Int32Array.from(rowEntity),
    values: values.map((column) => Float64Array.from(column)),
  };
}

export function fixtureResult(): RunResult {
  return {
    scenario: {
      name: 'fixture-drain',
      file: 'scenarios/fixture-drain.yaml',
      description: 'Two backends; vm-a drained at 10s, hard-cut at 30s',
    },
    seed: 42,
    version: '0.1.0',
    start: '14:00:00',
    horizon: 50,
    resolved: {
      name: 'fixture-drain',
      start: '14:00:00',
      horizon: 50,
      backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
      drain: { at: 10, timeout: 20.000000000000004 },
    },
    figures: {
      'errors.total': 12,
      'conn.active_peak': 1240,
      'conn.new_total': 480,
      'reset_out.total': 42,
      'reset_out.peak_per_s': 4.2,
      'drain.duration_s': 20.000000000000004,
      reconnects: 37,
    },
    histograms: {
      'ws.lifetime_s': { count: 40, mean: 1834.5, p50: 1500, p95: 5400, p99: 7200, max: 9000 },
      'request.latency': { count: 480, mean: 0.0123456789, p50: 0.008, p95: 0.045, p99: 0.12, max: 1.5 },
      retries: { count: 12, mean: 1.5, p50: 1, p95: 3, p99: 3, max: 4 },
    },
    timeline: buildTimeline(),
    events: [
      logLine(0, 'lb', 'backend=vm-a up active_conn=0'),
      logLine(10, 'deploy', 'drain vm-a timeout=20s'),
      logLine(10.0005, 'lb', 'backend=vm-a draining new_conn=0 active_conn=598'),
      logLine(30, 'k8s', 'pod vm-a terminated (SIGKILL after grace period)'),
      logLine(30.1234, 'nginx', 'recv() failed (104: Connection reset by peer)\nwhile reading upstream'),
    ],
    expectations: [
      { text: 'active_conn(total) >= 1180 at 40s', passed: true, actual: 1190 },
      { text: 'errors.total == 0', passed: false, actual: 12, at: 30, message: '12 requests failed with 502' },
    ],
    engineEvents: 123456,
  };
}
