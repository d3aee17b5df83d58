/**
 * HAProxy shuts a server's streams under `on-marked-down shutdown-sessions` on the edge into
 * maintenance only (srv_update_status(), HAProxy 2.6 src/server.c: the "entering maint" branch runs
 * when the previous admin state was not MAINT). An l7 `remove` of a server already in maint is no
 * second edge: one `lb.shutdown_sessions`, not two (review47 M4: the `!wasMaint` guard of
 * sim/model/vm/lifecycle.ts remove()).
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

/** 40 req/s paced to two bare servers behind lb.mode l7, checks with shutdown-sessions. */
const input: ScenarioInput = {
  warmup: '0s',
  horizon: '8s',
  clients: { rtt: '0.1ms', requests: { rate: 40, arrivals: 'paced', timeout: '10s', retries: 0 } },
  app: { service_time: 'const(1ms)' },
  lb: { mode: 'l7', balance: 'roundrobin' },
  health_check: { type: 'http', inter: '1s', rise: 2, fall: 2, on_marked_down: 'shutdown-sessions' },
  backends: [
    { name: 'vm-a', proxy: 'none' },
    { name: 'vm-b', proxy: 'none' },
  ],
  timeline: [
    { at: '5s', do: 'set_server', backend: 'vm-a', state: 'maint' },
    { at: '6s', do: 'remove', backend: 'vm-a' },
  ],
} as ScenarioInput;

describe('l7: remove after set_server maint is no second entry into maint', () => {
  it('shuts the sessions once, at the maint', () => {
    const r = run(input);
    const shut = r.events.filter((l) => l.record.kind === 'lb.shutdown_sessions');
    expect(shut.map((l) => l.t)).toEqual([5]);
    expect(recordsOf(r, 'lb.shutdown_sessions')[0].cause).toBe('maint');
    expect(recordsOf(r, 'lb.remove')).toHaveLength(1);
  });
});
