/**
 * A server in slowstart's ramp is not running for stream_choose_redispatch() (HAProxy 2.6
 * include/haproxy/stream.h: `cur_state < SRV_ST_RUNNING` → redispatch at once): an UP with
 * slowstart, or the leaving of maint, puts it in SRV_ST_STARTING (srv_set_running() /
 * srv_update_status(), src/server.c), below SRV_ST_RUNNING (enum srv_state,
 * include/haproxy/server-t.h), until server_recalc_eweight() makes it RUNNING once
 * `now_s ≥ last_change + slowstart` — for static maps too. The rule matters where the immediate
 * non-hash rule does not apply: here `balance source`, whose running server's refused connects stay
 * on it (1-s turn-arounds) until the last retry. LoadBalancer.running (sim/model/lb/pool.ts).
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run } from '../helpers.js';

/**
 * 3 bare servers behind `balance source`, retries 3, redispatch; s2 starts in maint and is set
 * ready at 2 s (UP at once with health = rise, STARTING for `slowstart`), then killed -9 at 5 s;
 * its checks (inter 2s fall 3) see it DOWN some 6 s later. Only s2's refused connects in [5, ~11) s
 * are retried.
 */
function startingKilled(mode: 'l4' | 'l7', slowstart: string, hashType?: 'consistent'): ScenarioInput {
  const clients =
    mode === 'l4'
      ? {
          rtt: '1ms',
          http: { arrival_rate: 40, requests_per_connection: 'const(1)', think_time: 'const(0s)', retries: 0 },
        }
      : { rtt: '1ms', requests: { rate: 40, arrivals: 'paced', timeout: '8s', retries: 0 } };
  return {
    warmup: '0s',
    horizon: '14s',
    sample_interval: '1s',
    clients,
    app: { workers: 64, service_time: 'const(5ms)', ...(mode === 'l7' ? { keepalive_timeout: '121s' } : {}) },
    lb: {
      mode,
      balance: 'source',
      ...(hashType ? { hash_type: hashType } : {}),
      retries: 3,
      redispatch: true,
      connect_timeout: '5s',
      slowstart,
    },
    health_check: { type: mode === 'l4' ? 'tcp' : 'http', inter: '2s', rise: 2, fall: 3 },
    backends: [
      { name: 's1', proxy: 'none' },
      { name: 's2', proxy: 'none', state: 'maint' },
      { name: 's3', proxy: 'none' },
    ],
    timeline: [
      { at: '2s', do: 'set_server', backend: 's2', state: 'ready' },
      { at: '5s', do: 'terminate', backend: 's2', mode: 'kill' },
    ],
  } as ScenarioInput;
}

describe('a server in its slowstart ramp is not running when a retry is placed (stream_choose_redispatch())', () => {
  it('tcp mode, balance source (static map, no weight ramp but STARTING all the same): redispatched at once', () => {
    const r = run(startingKilled('l4', '30s'));
    expect(r.figures['requests.total']).toBe(r.figures['responses_2xx.total']);
    // s2 refused connects while STARTING (30 s from 2 s): each retry is redispatched at once (3
    // active: no turn-around). The old model took s2 as running: two 1-s turn-arounds on s2, then
    // the last retry redispatched (connect latency max 2.001 s).
    expect(r.figures['connect_latency.max']).toBeLessThan(0.1);
    // The map takes no server to avoid (map_get_server_hash(), src/lb_map.c): a redispatched retry
    // hashes back to s2 and its retries run out within a millisecond, where the old model's 2 s of
    // turn-arounds outlived some until the checks took s2 out of the map: more clients read EOF
    // (ECONNRESET), 45 -> 71, all on s2.
    expect(r.figures['s2.errors.total']).toBe(r.figures['errors.total']);
    expect(r.figures['errors.total']).toBeGreaterThan(60);
  });

  it('tcp mode, balance source, slowstart 2s: s2 is RUNNING by the kill, its retries stay on it until the last', () => {
    const r = run(startingKilled('l4', '2s'));
    expect(r.figures['requests.total']).toBe(r.figures['responses_2xx.total']);
    expect(r.figures['connect_latency.max']).toBeGreaterThan(1.9);
    expect(r.figures['connect_latency.max']).toBeLessThan(2.5);
  });

  it('http mode, balance source hash-type consistent (dynamic: the ring points ramp): redispatched at once', () => {
    const r = run(startingKilled('l7', '30s', 'consistent'));
    expect(r.figures['errors.total'] ?? 0).toBe(0);
    // No 1-s turn-around on s2: the slowest answer is a few ms (old model: 2 s and more).
    expect(r.figures['open_loop_latency.max']).toBeLessThan(0.1);
  });
});
