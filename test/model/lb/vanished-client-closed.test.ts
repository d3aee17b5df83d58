/**
 * HAProxy mode tcp (lb.mode l4): a client that closes its connection to a vanished server (its
 * request timeout) ends only the client side; HAProxy relays the FIN and keeps the stream — in the
 * server's `cur_sess` — until `timeout server` after the last request it wrote to the server
 * (sc_app_shutw_conn(), src/stconn.c; process_stream(), src/stream.c; lb/pool.ts
 * clientClosedStreamHold). Recorded: haproxy-holdout3 vanish-tconnect-tcp-redispatch, "11 sessions
 * active" on the DOWN line, 8 of them client-closed.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run, valueAt } from '../helpers.js';
import { vanishL4 } from './vanish-l4.js';

/** vm-a vanishes at 5 s; its clients give up after 2 s; checks take vm-a DOWN at ≈ 11 s; no new connections from 4 s. */
const vanish = (lb: Record<string, unknown>): ScenarioInput => vanishL4(lb);

describe('a client-closed stream to a vanished server (mode tcp)', () => {
  it('stays in the server sessions until timeout server after its last request, then ends', () => {
    const r = run(vanish({ timeout_server: '12s' }), 1);
    const down = recordsOf(r, 'hc.down')[0];
    const stuck = valueAt(r, 'active_conn', 5, 'vm-a');
    expect(stuck).toBeGreaterThan(3);
    // Every client gave up by 7.2 s (2 s after its last request); the streams stay.
    expect(down.t).toBeGreaterThan(8);
    expect(down.sessions).toBe(stuck);
    expect(valueAt(r, 'active_conn', 16, 'vm-a')).toBe(stuck);
    // 12 s after the last requests (written by 5.2 s): gone by 18 s.
    expect(valueAt(r, 'active_conn', 18, 'vm-a')).toBe(0);
    const ended = recordsOf(r, 'lb.server_side_timeout');
    expect(ended.length).toBeGreaterThan(0);
    expect(ended[0].after).toBe(12);
    expect(ended[0].t).toBeGreaterThan(16.9);
    expect(ended[0].t).toBeLessThan(17.3);
  });

  it('streams still connecting to the vanished server count in its sessions too', () => {
    const input = vanish({ timeout_server: '12s', connect_timeout: '1500ms' });
    // Arrivals go on: roundrobin still gives vm-a new connections, each waiting timeout connect.
    const r = run({ ...input, timeline: input.timeline!.slice(1) } as ScenarioInput, 1);
    const down = recordsOf(r, 'hc.down')[0];
    // vm-a's streams established before it vanished, all held by then (no new one since).
    const established = valueAt(r, 'active_conn', Math.ceil(down.t), 'vm-a');
    expect(established).toBeGreaterThan(3);
    // ≈ 2 new connections a second to vm-a, each 1.5 s in connect.
    expect(down.sessions).toBeGreaterThan(established);
    expect(down.sessions).toBeLessThanOrEqual(established + 6);
  });

  it('timeout tunnel replaces timeout server in tcp mode', () => {
    const r = run(vanish({ timeout_server: '12s', timeout_tunnel: '4s' }), 1);
    // Last requests by 5.2 s, 4 s of tunnel timeout: the streams end by 9.2 s, before DOWN.
    expect(recordsOf(r, 'lb.server_side_timeout')[0].after).toBe(4);
    expect(valueAt(r, 'active_conn', 10, 'vm-a')).toBe(0);
    expect(recordsOf(r, 'hc.down')[0].sessions).toBe(0);
  });

  it('without timeout server the stream lasts until the kernel gives up retransmitting (tcp_retries2)', () => {
    const r = run({ ...vanish({}), horizon: '40s' } as ScenarioInput, 1);
    expect(valueAt(r, 'active_conn', 40, 'vm-a')).toBeGreaterThan(3);
    expect(recordsOf(r, 'lb.server_side_timeout')).toHaveLength(0);
  });
});
