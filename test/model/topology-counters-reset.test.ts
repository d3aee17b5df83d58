/**
 * `startModel` (sim/model/topology.ts) forgets what the warmup counted at t = 0. That reset must
 * come before anything else due at 0: the clients' `start()` runs synchronously in startModel, and
 * a paced population whose first arrival is at its start (`clients.http.arrivals: paced`,
 * `clients.ws.arrivals: paced`, arrivals.ts PacedArrivals firstAtStart) schedules it at 0 when the
 * warmup is 0. Reset after it, that arrival's connection was missing from `new_conn` (20 paced
 * connections counted 19), so the calibration twins set their paced rate by a `load` action at 0 s
 * instead of `arrival_rate`. Open-loop requests (`clients.requests.arrivals: paced`) start one
 * gap after the start, so none is due at 0 with warmup 0; with a warmup, one due at 0 was
 * scheduled by the arrival before it, after the reset, and always counted.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../sim/result.js';
import type { ScenarioInput } from '../../sim/scenario/schema.js';
import { run, series } from './helpers.js';

/** One population of paced clients at 10/s from t = 0 (`arrival_rate`, no timeline), 2 s. */
function paced(clients: ScenarioInput['clients'], warmup = '0s'): ScenarioInput {
  return {
    warmup,
    horizon: '2s',
    sample_interval: '1s',
    clients: { rtt: '1ms', ...clients },
    app: { workers: 8, service_time: 'const(1ms)' },
    lb: { mode: 'l4' }, // new_conn: each client connection is a flow to the backend
    backends: [{ name: 'vm-a' }],
  } as ScenarioInput;
}

const perSecond = (r: RunResult, name: string): number[] => series(r, name).map(([, v]) => v);

const http = {
  http: { arrival_rate: 10, arrivals: 'paced', requests_per_connection: 'const(1)', think_time: 'const(10ms)' },
} as ScenarioInput['clients'];
const ws = {
  ws: { initial_sessions: 0, arrival_rate: 10, arrivals: 'paced', lifetime: 'const(1h)', ping_interval: 0 },
} as ScenarioInput['clients'];

describe('the counters are reset at t = 0 before the clients start', () => {
  it('clients.http paced from 0 s (warmup 0): 10 new connections in [0, 1), the one at 0 counted (was 9)', () => {
    expect(perSecond(run(paced(http)), 'new_conn')).toEqual([10, 10]);
  });

  it('clients.ws paced from 0 s (warmup 0): 10 new sessions in [0, 1), the one at 0 counted (was 9)', () => {
    expect(perSecond(run(paced(ws)), 'new_conn')).toEqual([10, 10]);
  });

  it('with a warmup, the one due at exactly 0 (−1 s + 10 × 0.1 s) counts in [0, 1), as before', () => {
    expect(perSecond(run(paced(http, '1s')), 'new_conn')).toEqual([10, 10]);
    expect(perSecond(run(paced(ws, '1s')), 'new_conn')).toEqual([10, 10]);
  });

  it('clients.requests paced (first one gap after the start): none due at 0 with warmup 0', () => {
    const requests = { requests: { rate: 10, arrivals: 'paced' } } as ScenarioInput['clients'];
    // 0.1 … 0.9 s, then 1.0 … 1.9 s: the one due at 1 s follows the sample scheduled for it.
    expect(perSecond(run(paced(requests)), 'offered')).toEqual([9, 10]);
    expect(perSecond(run(paced(requests, '1s')), 'offered')).toEqual([10, 10]);
  });
});
