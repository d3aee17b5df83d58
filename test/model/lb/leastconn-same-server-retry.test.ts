/**
 * A connection retry that stays on its server keeps the server's place in HAProxy's leastconn
 * tree: sess_change_server() (src/stream.c) returns at `oldsrv == newsrv` (no server_drop_conn,
 * no server_take_conn), and connect_server()'s server_take_conn (src/backend.c) calls
 * fwlc_srv_reposition() (src/lb_fwlc.c), which returns when the key is unchanged. Dropping and
 * taking the stream again would re-insert the server behind its equal-key peers (review44 #2).
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run } from '../helpers.js';
import { scheduledWs } from './scheduled-ws.js';

/**
 * vm-a vanished (its SYNs unanswered, no health checks): the 1st WebSocket goes to vm-a, the 2nd
 * and 3rd to vm-b and vm-c, all three at key 1 in that order. The 1st's connect times out at 2 s
 * and is retried on vm-a (no redispatch); the 4th, at 2.5 s, meets three servers at key 1.
 */
const retryAmongPeers = (mode: 'l4' | 'l7'): ScenarioInput => ({
  start: '00:00:00',
  warmup: '0s',
  horizon: '8s',
  sample_interval: '1s',
  clients: scheduledWs([1, 1.1, 1.2, 2.5]),
  lb: { mode, balance: 'leastconn', connect_timeout: '1s', retries: 1, redispatch: false },
  app: { ws: { handshake_time: '0s' } },
  backends: [{ name: 'vm-a' }, { name: 'vm-b' }, { name: 'vm-c' }],
  timeline: [{ at: '0.5s', do: 'terminate', backend: 'vm-a', mode: 'vanish' }],
});

/**
 * The same through l7-dispatch's per-request streams: requests 0.1 s apart (paced, the first at
 * 0.1 s), each served 5 s; vm-a vanished at 0.05 s. The 1st (vm-a), 2nd (vm-b) and 3rd (vm-c)
 * hold key 1; the 1st's connect times out at 0.35 s and is retried on vm-a; the 4th, at 0.4 s,
 * goes to vm-a, still first at key 1, and fails there too (timeout connect 0.25 s, one retry).
 */
const requestsRetryAmongPeers = (): ScenarioInput => ({
  start: '00:00:00',
  warmup: '0s',
  horizon: '1s',
  sample_interval: '0.1s',
  clients: { requests: { rate: 10, arrivals: 'paced', timeout: '60s', retries: 0 } },
  lb: { mode: 'l7', balance: 'leastconn', connect_timeout: '250ms', retries: 1, redispatch: false },
  app: { service_time: 'const(5s)' },
  backends: [{ name: 'vm-a' }, { name: 'vm-b' }, { name: 'vm-c' }],
  timeline: [{ at: '0.05s', do: 'terminate', backend: 'vm-a', mode: 'vanish' }],
});

describe('leastconn: a retry on the same server keeps its place among equal keys', () => {
  it.each(['l4', 'l7'] as const)('%s: the 4th stream still goes to vm-a, first at key 1', (mode) => {
    const r = run(retryAmongPeers(mode), 1);
    const failed = r.events.filter((l) => l.record.kind === 'lb.connect_failed');
    // vm-a kept its place ahead of vm-b and vm-c: the 4th stream hangs on it too. Re-inserted
    // behind them by a drop and a take, vm-a would lose the 4th stream to vm-b.
    expect(failed.map((f) => f.text.includes('backend=vm-a'))).toEqual([true, true]);
  });

  it('l7 requests: the 4th request goes to vm-a too (two failed there, not one)', () => {
    const r = run(requestsRetryAmongPeers(), 1);
    expect(r.figures['vm-a.errors.total']).toBe(2);
  });
});
