import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run } from '../helpers.js';

// A request that needs a new connection counts its handshake in its latency (http-keepalive.ts
// send: the wait starts when the client wants to send). The clock is negative during warm-up, so
// a wait that begins there must still be a wait: with a 2-s round trip every request of this run
// takes one RTT to connect and one to be answered (≈ 4 s), whenever its wait began. Before the
// fix a wait begun at t < 0 looked like "not waiting" (waitingSince −1 was the sentinel) and those
// requests reported ≈ 2 s: those sent in [0 s, 2 s), two thirds of this 3-s horizon's samples.
const FAR_CLIENTS = {
  warmup: '10s',
  horizon: '3s',
  sample_interval: '1s',
  app: { service_time: 'const(1ms)' },
  clients: {
    rtt: '2s',
    http: { arrival_rate: 50, requests_per_connection: 'const(1)', think_time: 'const(1s)' },
  },
  backends: [{ name: 'vm-a' }],
} as ScenarioInput;

describe('a wait for a connection begun during warm-up', () => {
  let r: RunResult;
  beforeAll(() => {
    r = run(FAR_CLIENTS, 1);
  });

  it('counts the handshake of every request, also of those that began waiting at t < 0', () => {
    expect(r.figures['request_latency.count']!).toBeGreaterThan(100);
    // One RTT to connect + one for the exchange (+ 1 ms service): no request is faster.
    expect(r.figures['request_latency.p50']!).toBeGreaterThan(3.9);
    expect(r.figures['request_latency.p50']!).toBeLessThan(4.1);
  });
});
