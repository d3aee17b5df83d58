/**
 * A server coming UP or leaving maintenance takes the backend queue's streams at once, up to its
 * maxconn, with or without slowstart: srv_update_status() (HAProxy 2.6 src/server.c) calls
 * pendconn_grab_from_px() in both branches ("check if we can handle some connections queued at
 * the proxy. We will take as many as we can handle"); lb/health.ts startSlowstart. Before, only
 * slowstart's ramp did, and a server back without slowstart filled its slots with new arrivals
 * while the queued streams waited on.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { between, run } from '../helpers.js';

/** A backend queue on s1 and s2 (90 req/s of 200 ms, 8 slots each: 80/s) while s3 is in maint; s3 ready at 8.006 s. */
const queued: ScenarioInput = {
  warmup: '0s',
  horizon: '10s',
  sample_interval: '10ms',
  clients: {
    rtt: '0.1ms',
    requests: { rate: 90, arrivals: 'paced', timeout: '8s', retries: 0, reused_connections: true },
  },
  app: { workers: 64, service_time: 'const(200ms)', keepalive_timeout: '121s' },
  lb: { mode: 'l7', balance: 'roundrobin', retries: 3, maxconn: 8, timeout_queue: '2s' },
  backends: [
    { name: 's1', proxy: 'none' },
    { name: 's2', proxy: 'none' },
    { name: 's3', proxy: 'none' },
  ],
  timeline: [
    { at: '3006ms', do: 'set_server', backend: 's3', state: 'maint' },
    { at: '8006ms', do: 'set_server', backend: 's3', state: 'ready' },
  ],
} as ScenarioInput;

describe('a server back in the rotation takes the backend queue (pendconn_grab_from_px())', () => {
  it('s3 ready from maint, no slowstart: its 8 slots go to the 8 oldest queued streams at 8.006 s', () => {
    const r = run(queued);
    // Served 200 ms later, all at 8.206 s: before, its slots went to new arrivals from 8.011 s on
    // (answered from 8.211 s) while the queue waited for s1 and s2.
    expect(between(r, 'goodput', 8.2, 8.21, 's3')).toBe(8);
    expect(between(r, 'goodput', 8, 8.2, 's3')).toBe(0);
  });
});
