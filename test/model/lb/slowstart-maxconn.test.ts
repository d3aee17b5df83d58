/**
 * A server in slowstart's ramp has a ramping maxconn: HAProxy 2.6 srv_dynamic_maxconn()
 * (src/queue.c) returns `max(1, maxconn × ratio / 100)` with `ratio = 100 × (now.tv_sec −
 * last_change) / slowstart` while SRV_ST_STARTING (no minconn: the static limit otherwise), read by
 * assign_server_and_queue(), the lb algorithms and the queues; server_warmup() (src/server.c) hands
 * the ramped slots the backend queue's streams each step (pendconn_grab_from_px()).
 * LoadBalancer.effectiveMaxconn (sim/model/lb/pool.ts). Round 12's 12B recording (s3 answers 4 and 8
 * in its first two seconds) is the regime.
 */
import { describe, expect, it } from 'vitest';
import { LoadBalancer } from '../../../sim/model/lb/pool.js';
import { type ScenarioInput, ScenarioSchema } from '../../../sim/scenario/schema.js';
import { between, run } from '../helpers.js';

describe('slowstart ramps a starting server maxconn (srv_dynamic_maxconn())', () => {
  it('maxconn 8, slowstart 6 s: 1, 1, 2, 4, 5, 6 over the whole seconds of the ramp, then 8', () => {
    const lb = new LoadBalancer({ ...ScenarioSchema.parse({}).lb, mode: 'l7', balance: 'roundrobin', maxconn: 8 }, 3);
    const clock = { now: 8.006 };
    lb.clock = clock;
    lb.setStarting(2, true, 8, 6);
    const seen: number[] = [];
    for (const t of [8.006, 9.5, 10.5, 11.5, 12.5, 13.999, 14.0, 15.5]) {
      clock.now = t;
      seen.push(lb.effectiveMaxconn(2));
    }
    expect(seen).toEqual([1, 1, 2, 4, 5, 6, 8, 8]);
    // A server not STARTING keeps the configured limit; no limit stays none.
    expect(lb.effectiveMaxconn(0)).toBe(8);
    lb.setStarting(2, false);
    clock.now = 9.5;
    expect(lb.effectiveMaxconn(2)).toBe(8);
  });

  /** The 12B twin's regime: a backend queue on s1 and s2 while s3 is in maint, s3 ready at 8.006 s. */
  const queued: ScenarioInput = {
    warmup: '0s',
    horizon: '16s',
    sample_interval: '1s',
    clients: {
      rtt: '0.1ms',
      requests: { rate: 90, arrivals: 'paced', timeout: '8s', retries: 0, reused_connections: true },
    },
    app: { workers: 64, service_time: 'const(200ms)', keepalive_timeout: '121s' },
    lb: {
      mode: 'l7',
      balance: 'roundrobin',
      retries: 3,
      connect_timeout: '5s',
      redispatch: false,
      slowstart: '6s',
      maxconn: 8,
      timeout_queue: '2s',
    },
    health_check: { type: 'http', inter: '2s', rise: 2, fall: 3 },
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

  it('the ready s3 serves one, then two 200-ms slots at a time, not eight', () => {
    const r = run(queued);
    // maxconn 1 in (8, 10] s: at most 5 answers a second (the old model: 32 and 35).
    expect(between(r, 'goodput', 8, 9, 's3')).toBeLessThanOrEqual(5);
    expect(between(r, 'goodput', 9, 10, 's3')).toBeLessThanOrEqual(5);
    expect(between(r, 'goodput', 8, 9, 's3')).toBeGreaterThan(0);
    // 2 then 4 slots in (10, 12] s: at most 30.
    expect(between(r, 'goodput', 10, 12, 's3')).toBeLessThanOrEqual(30);
  });
});
