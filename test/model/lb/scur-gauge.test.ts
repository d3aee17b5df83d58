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
