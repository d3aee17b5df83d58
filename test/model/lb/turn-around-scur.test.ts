/**
 * `active_conn` is HAProxy's `show stat` scur for a server, its cur_sess (stats_fill_sv_stats(),
 * src/stats.c). A stream whose connect failed and that waits out the turn-around pause before a
 * retry on the same server keeps its slot — `served`, sess_change_server() not called — but
 * leaves cur_sess: back_handle_st_cer() (src/backend.c) clears SF_CURR_SESS and decrements it, and
 * connect_server() raises it again at the retry. So a server that refuses every connect shows
 * (almost) no sessions while its streams are retried there, however many hold its slots.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, valueAt } from '../helpers.js';

/**
 * HAProxy mode http over three VMs, 60 paced requests a second; vm-a's app killed at 1 s, no
 * health checks: every third request meets a refused connect on vm-a, retried there 3 times 1 s
 * apart (no redispatch), then answered 503.
 */
const refusedRetries = (): ScenarioInput => ({
  start: '00:00:00',
  warmup: '0s',
  horizon: '6s',
  sample_interval: '0.5s',
  clients: { requests: { rate: 60, arrivals: 'paced', timeout: '30s', retries: 0 } },
  app: { workers: 16, service_time: 'const(20ms)' },
  lb: { mode: 'l7', balance: 'roundrobin', retries: 3, redispatch: false },
  backends: [{ name: 'vm-a' }, { name: 'vm-b' }, { name: 'vm-c' }],
  timeline: [{ at: '1s', do: 'terminate', backend: 'vm-a', mode: 'kill' }],
});

describe("active_conn is the server's scur: streams in a turn-around pause are out of it", () => {
  it('l7: vm-a, refusing, shows no sessions while 40–60 of its streams wait out their pauses', () => {
    const r = run(refusedRetries(), 1);
    // The requests sent to vm-a from 1 s are refused and retried: by 4 s they are failing with
    // 503 after their third retry, so the retries are in full swing (20/s × 3 s in pauses).
    expect(r.figures['vm-a.errors.total']).toBeGreaterThan(20);
    for (const t of [3, 3.5, 4, 4.5]) expect(valueAt(r, 'active_conn', t, 'vm-a')).toBe(0);
    // The other servers' streams are counted as ever: 20/s × 20 ms.
    expect(valueAt(r, 'active_conn', 4, 'vm-b')).toBeLessThanOrEqual(2);
  });
});
