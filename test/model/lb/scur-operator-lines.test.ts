/**
 * The l7 operator lines that quote a server's connection count — `lb.drain` ("active_conn=N
 * kept"), `lb.remove` and `deploy.vanish` — read the figure active_conn, the deploy gate and
 * set_server's "sessions active" read: HAProxy's `show stat` scur, sv->cur_sess
 * (stats_fill_sv_stats(), src/stats.c), which back_handle_st_cer() (src/backend.c) lowers before a
 * retry's turn-around pause — not `served`, which keeps the paused stream.
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

describe('l7 drain, remove and vanish lines quote scur (active_conn), not served', () => {
  // vm-a gets 20 req/s, each refused and retried 3 times 1 s apart: after 8 s ≈ 60 of its streams
  // wait out pauses (served 60), none connecting for more than an instant (scur 0): the old lines said 60.
  it('lb.drain', () => {
    const r = run(refused([{ at: '9.5s', do: 'drain', backend: 'vm-a' }]));
    expect(valueAt(r, 'active_conn', 9, 'vm-a')).toBe(0);
    expect(recordsOf(r, 'lb.drain')[0].active).toBe(0);
  });
  it('lb.remove', () => {
    const r = run(refused([{ at: '9.5s', do: 'remove', backend: 'vm-a' }]));
    expect(recordsOf(r, 'lb.remove')[0].active).toBe(0);
  });
  it('deploy.vanish', () => {
    const r = run(refused([{ at: '9.5s', do: 'terminate', backend: 'vm-a', mode: 'vanish' }]));
    expect(recordsOf(r, 'deploy.vanish')[0].active).toBe(0);
  });
});
