/**
 * A server in maint is not running for stream_choose_redispatch() (include/haproxy/stream.h:
 * `cur_state < SRV_ST_RUNNING`): entering maint takes a running server to SRV_ST_STOPPED
 * (srv_update_status(), src/server.c, "going DOWN for maintenance") whatever its checks said, so a
 * refused connect to it is redispatched at once (LoadBalancer.running), in http mode
 * (l7-dispatch.ts lbRetry) and in tcp mode (l4-connect.ts failedAttempt). Held-out round 11's known
 * gap (test/calibration/holdout11.test.ts GAPS11): recorded, HAProxy 2.6.12 redispatched each
 * persistent request to a killed server in maint after one refused connect.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { between, run } from '../helpers.js';

/**
 * Round 11's twin, shortened: cookie insert with `option persist` and `option redispatch`, 4 bare
 * servers, 16 users; s2 in maint at 3 s (its users stay: persist), killed -9 at 6 s. Its checks
 * pause in maint, so they never see it DOWN.
 */
function persistMaintKill(): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '10s',
    sample_interval: '1s',
    clients: {
      rtt: '0.1ms',
      requests: {
        rate: 60,
        arrivals: 'paced',
        timeout: '8s',
        retries: 0,
        reused_connections: true,
        users: 16,
        pool: { when_busy: 'skip' },
        session_store: 'external',
      },
    },
    app: { workers: 16, service_time: 'const(1ms)', keepalive_timeout: '121s' },
    lb: {
      mode: 'l7',
      balance: 'roundrobin',
      sticky: 'cookie',
      persist: true,
      retries: 3,
      connect_timeout: '5s',
      redispatch: true,
    },
    health_check: { type: 'http', inter: '2s', rise: 2, fall: 3 },
    backends: ['s1', 's2', 's3', 's4'].map((name) => ({ name, proxy: 'none' })),
    timeline: [
      { at: '3008ms', do: 'set_server', backend: 's2', state: 'maint' },
      { at: '6008ms', do: 'terminate', backend: 's2', mode: 'kill' },
    ],
  } as ScenarioInput;
}

/**
 * HAProxy mode tcp, `balance source` (a hash: a running server's refused connect stays on it until
 * the last retry), 3 bare servers; s2 killed -9 at 5 s and put in maint at 5.5 s, before its checks
 * (inter 2s fall 3) see it DOWN. The connects refused by s2 in [5, 5.5) s wait their turn-around
 * (1 s) and retry after the maint.
 */
function killThenMaintL4(): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '10s',
    sample_interval: '1s',
    clients: {
      rtt: '1ms',
      http: { arrival_rate: 40, requests_per_connection: 'const(1)', think_time: 'const(0s)', retries: 0 },
    },
    app: { workers: 64, service_time: 'const(5ms)' },
    lb: { mode: 'l4', balance: 'source', retries: 3, redispatch: true, connect_timeout: '5s' },
    health_check: { type: 'tcp', inter: '2s', rise: 2, fall: 3 },
    backends: ['s1', 's2', 's3'].map((name) => ({ name, proxy: 'none' })),
    timeline: [
      { at: '5s', do: 'terminate', backend: 's2', mode: 'kill' },
      { at: '5500ms', do: 'set_server', backend: 's2', state: 'maint' },
    ],
  } as ScenarioInput;
}

describe('a server in maint is not running when a retry is placed (stream_choose_redispatch())', () => {
  it('http mode, option persist: a persistent request to the killed s2 in maint is redispatched after one refused connect', () => {
    const r = run(persistMaintKill());
    // s2 kept its persistent users in maint (option persist), so some requests still went to it.
    expect(between(r, 'goodput', 3, 6, 's2')).toBeGreaterThan(20);
    const failedOnS2 = between(r, 'attempts', 6, 10, 's2') - between(r, 'goodput', 6, 10, 's2');
    // One refused connect per s2 user (a roundrobin quarter of 16), then its new cookie moves it: not
    // 3 per user (two retries kept on s2 with 1-s turn-arounds, then the last one redispatched).
    expect(failedOnS2).toBeGreaterThanOrEqual(3);
    expect(failedOnS2).toBeLessThanOrEqual(5);
    expect(r.figures['errors.total'] ?? 0).toBe(0);
    // No turn-around: the redispatch goes at once to one of the 3 active servers.
    expect(r.figures['open_loop_latency.max']).toBeLessThan(0.1);
  });

  it('tcp mode, balance source: a refused connect retried after s2 entered maint is redispatched at once', () => {
    const r = run(killThenMaintL4());
    // The connects s2 refused in [5, 5.5) s retry at 6-6.5 s (after one turn-around), when s2 is in
    // maint: redispatched at once to s1 or s3 (2 active: no turn-around). The old model took s2 as
    // running by its checks, and a hash keeps a running server's retries on it until the last one.
    // s2 refused some connects before its maint (reset_in: the client connections HAProxy gave up on
    // would be errors), and every flow got through.
    expect(r.figures['requests.total']).toBe(r.figures['responses_2xx.total']);
    expect(r.figures['errors.total'] ?? 0).toBe(0);
    // One turn-around (1 s, s2 still running then), not two (old model: 2.001 s).
    expect(r.figures['connect_latency.max']).toBeGreaterThan(0.9);
    expect(r.figures['connect_latency.max']).toBeLessThan(1.5);
  });
});
