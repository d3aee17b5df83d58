/**
 * `active_conn` is HAProxy's `show stat` scur: `sv->cur_sess` (stats_fill_sv_stats(), HAProxy 2.6
 * src/stats.c), raised by connect_server() and lowered by back_handle_st_cer() (src/backend.c)
 * before a retry's turn-around pause — not `served`, which keeps the paused stream. They differ
 * while refused connects wait out their 1-s pauses: the gauge, the deploy gate and the
 * "sessions active" of `set server … state` read cur_sess (LoadBalancer.currentSessions).
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run, valueAt } from '../helpers.js';

/** 40 req/s paced to two bare servers (lb.mode l7, 3 retries, no redispatch); vm-a's app killed at 5 s, no checks. */
function refused(timeline: NonNullable<ScenarioInput['timeline']>): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '12s',
    clients: { rtt: '0.1ms', requests: { rate: 40, arrivals: 'paced', timeout: '10s', retries: 0 } },
    app: { service_time: 'const(1ms)', keepalive_timeout: '5s' },
    lb: { mode: 'l7', balance: 'roundrobin', retries: 3, redispatch: false },
    backends: [
      { name: 'vm-a', proxy: 'none' },
      { name: 'vm-b', proxy: 'none' },
    ],
    timeline: [{ at: '5s', do: 'terminate', backend: 'vm-a', mode: 'kill' }, ...timeline],
  } as ScenarioInput;
}

describe('active_conn is scur (cur_sess), not served', () => {
  it("a killed server's refused streams, each in a 1-s turn-around pause, are not in its active_conn", () => {
    const r = run(refused([{ at: '9.5s', do: 'set_server', backend: 'vm-a', state: 'maint' }]));
    // Every request to vm-a after 5 s is refused, retried after 1-s pauses, then answered 503:
    // ≈ 40 of them in `served` at any instant (the old gauge read 40), none connecting for more than an instant.
    expect(r.figures['req_5xx.total']).toBeGreaterThan(40);
    for (const t of [7, 8, 9]) expect(valueAt(r, 'active_conn', t, 'vm-a')).toBe(0);
    // HAProxy's line says cur_sess too: "… N sessions active" (srv_append_status(), src/server.c).
    const maint = recordsOf(r, 'lb.set_state')[0];
    expect(maint.active).toBe(0);
  });
});

describe('the deploy gate polls scur (cur_sess), not served', () => {
  // review47 L9 (timeline.ts poll reads currentSessions) and L20 (activeAtStart). The turn-around
  // pause is 3 s here so that no refused stream retries between the drain at 5.5 s and the first
  // poll at 6.5 s (a retry counts as a new flow and holds any gate): ≈ 10 streams of vm-a sit in
  // their pauses then — in `served`, not in cur_sess. A gate reading `served` waits past 8.5 s.
  it("a gate on a killed server's refused streams completes at its first poll, with none active", () => {
    const input = refused([
      { at: '5.5s', do: 'deploy', backend: 'vm-a', gate: { threshold: 5, poll: '1s', max_wait: '30s' } },
    ]);
    input.lb = { ...input.lb, retry_interval: '3s' };
    const r = run(input);
    const done = r.events.filter((e) => e.record.kind === 'deploy.drain_complete');
    expect(done).toHaveLength(1);
    expect(done[0].t).toBeLessThanOrEqual(6.6);
    expect(recordsOf(r, 'deploy.drain_complete')[0].active).toBe(0);
    expect(r.figures['drain.vm-a.active_at_start']).toBe(0);
  });
});
