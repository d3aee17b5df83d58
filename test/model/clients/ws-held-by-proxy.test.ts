/**
 * A WebSocket client behind lb.mode l4 (HAProxy mode tcp) that closes on its pong timeout after its
 * server's host vanished: HAProxy keeps the stream (world.ts heldByProxy, core/held-streams.ts) —
 * its server side's read timeout, `timeout tunnel`, re-armed by every client ping it relayed
 * (sc_notify(), src/stconn.c), or the balancer host's kernel giving up on the first unanswered ping
 * (tcp_retries2) — in the server's scur (active_conn) meanwhile. Recorded with HAProxy 2.6.12:
 * test/calibration/haproxy-bare-ws-vanish.test.ts. Before session 16 the stream ended at the
 * client's close (heldByProxy was HTTP only).
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run, valueAt } from '../helpers.js';

/** 20 sessions from 0 s pinging every second, pong timeout 3 s; vm-a vanishes at 5.5 s: its clients close at ≈ 9 s. */
function wsVanish(lb: Record<string, unknown>, mode: 'l4' | 'nat' = 'l4'): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '30s',
    sample_interval: '250ms',
    clients: {
      rtt: '1ms',
      ws: {
        initial_sessions: 20,
        initial_ramp: '1ms',
        start: 'cold',
        lifetime: 'const(1h)',
        ping_interval: '1s',
        pong_timeout: '3s',
        reconnect: { policy: 'exponential', base: '60s', cap: '60s' },
      },
    },
    app: { workers: 16, service_time: 'const(1ms)' },
    lb: { mode, balance: 'roundrobin', ...(mode === 'nat' ? {} : { timeout_client: '30s' }), ...lb },
    health_check: { type: 'http', inter: '2s', rise: 2, fall: 3 },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    timeline: [{ at: '5500ms', do: 'terminate', backend: 'vm-a', mode: 'vanish' }],
  } as ScenarioInput;
}

describe('a client-closed WebSocket stream towards a vanished server behind HAProxy mode tcp', () => {
  it('is held until timeout tunnel after the last ping HAProxy relayed, in the server scur', () => {
    const r = run(wsVanish({ timeout_server: '60s', timeout_tunnel: '6s' }), 1);
    // Every vm-a client closed at ≈ 9 s (first unanswered ping ≈ 6 s + 3 s).
    expect(valueAt(r, 'ws_close_1006', 9.25, 'vm-a')).toBe(10);
    expect(valueAt(r, 'active_conn', 10, 'vm-a')).toBe(10);
    expect(valueAt(r, 'active_conn', 14.5, 'vm-a')).toBe(10);
    expect(valueAt(r, 'active_conn', 15.5, 'vm-a')).toBe(0);
    const ended = recordsOf(r, 'lb.server_side_timeout');
    expect(ended.length).toBeGreaterThan(0);
    // The last ping went at ≈ 9 s (the close's own instant): 6 s later.
    expect(ended.every((e) => e.cause === 'timeout' && e.after === 6 && e.t > 14.9 && e.t < 15.2)).toBe(true);
  });

  it("is held until the balancer host's kernel gives up on the first unanswered ping (tcp_retries2)", () => {
    const r = run(wsVanish({ timeout_server: '60s', kernel: { tcp_retries2: 5 } }), 1);
    expect(valueAt(r, 'active_conn', 12, 'vm-a')).toBe(10);
    const ended = recordsOf(r, 'lb.server_side_timeout');
    expect(ended.length).toBeGreaterThan(0);
    // First unanswered ping ≈ 6 s; give-up 12.6 s + the wheel after the first retransmission.
    expect(ended.every((e) => e.cause === 'retries2' && e.t > 18.5 && e.t < 20.5)).toBe(true);
    expect(valueAt(r, 'active_conn', 21, 'vm-a')).toBe(0);
  });

  it('a NAT keeps no stream: the flow is gone with the client close', () => {
    const r = run(wsVanish({}, 'nat'), 1);
    expect(valueAt(r, 'active_conn', 10, 'vm-a')).toBe(0);
    expect(recordsOf(r, 'lb.server_side_timeout')).toEqual([]);
  });
});
