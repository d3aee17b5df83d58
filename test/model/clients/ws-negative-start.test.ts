import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, series } from '../helpers.js';

// A WebSocket client pings every ping_interval from its session's start (websocket.ts nextPingAt).
// A steady-state start backdates the sessions open at t = 0 (ws-endpoint.ts: now − age), so their
// starts are negative and their pings fall at every phase of the interval. When the balancer
// forgets vm-a's flows (remove + kill at 20 s) each client meets the RST at its own next ping:
// spread over 20–50 s. Before the fix a negative start read as "no session" (−1 was the sentinel)
// and every ping was put one full interval after the removal: all resets at 50 s at once.
const STEADY_SESSIONS = {
  warmup: '60s',
  horizon: '120s',
  sample_interval: '5s',
  clients: {
    ws: {
      initial_sessions: 300,
      initial_ramp: '5s',
      start: 'steady',
      lifetime: 'lognormal(median=40m, p99=8h)',
      arrival_rate: 0.05,
      ping_interval: '30s',
    },
  },
  // worker_connections as ingress-nginx: 300 sessions hold 600 connections; this test is about
  // the pings' phases, not the connection limit.
  nginx: { proxy_read_timeout: '1h', worker_connections: 16384 },
  backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
  timeline: [
    { at: '20s', do: 'remove', backend: 'vm-a' },
    { at: '20s', do: 'terminate', backend: 'vm-a', mode: 'kill' },
  ],
} as ScenarioInput;

describe('pings of sessions that started before t = 0', () => {
  let resets: Array<[number, number]>;
  beforeAll(() => {
    const r: RunResult = run(STEADY_SESSIONS, 1);
    resets = series(r, 'reset_out').filter(([, v]) => v > 0);
  });

  it('keep their own phase: the forgotten flows meet their RSTs spread over one ping interval', () => {
    const total = resets.reduce((s, [, v]) => s + v, 0);
    expect(total).toBeGreaterThan(100);
    // Six 5-s samples cover 20–50 s; no sample holds more than a third of them.
    expect(resets.length).toBeGreaterThanOrEqual(5);
    expect(Math.max(...resets.map(([, v]) => v))).toBeLessThan(total / 3);
    expect(Math.min(...resets.map(([t]) => t))).toBeLessThanOrEqual(30);
    expect(Math.max(...resets.map(([t]) => t))).toBeLessThanOrEqual(50);
  });
});
