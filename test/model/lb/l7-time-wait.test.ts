/**
 * The balancer's own TIME_WAITs towards its clients (lb.mode l7, core/lb-host.ts): HAProxy
 * terminates the client's TCP connection, so whoever closes first holds the TIME_WAIT for
 * TCP_TIMEWAIT_LEN 60 s (tcp_time_wait(), net/ipv4/tcp_minisocks.c): the LB's host when it closes
 * an idle connection (`timeout http-keep-alive`), the client's machine when the client closes.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, valueAt, window } from '../helpers.js';
import { idleL7 } from './idle-l7.js';

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

/** The shared idle keep-alive fixture (5m horizon). */
function idle(lb: Record<string, unknown>): ScenarioInput {
  return idleL7(lb, '5m');
}

describe('lb_time_wait: the LB host holds the TIME_WAIT of client connections it closed first', () => {
  it('timeout http-keep-alive 30s closes every idle connection: lb_time_wait = the LB closes of the last 60 s', () => {
    const r = run(idle({ http_keep_alive_timeout: '30s', timeout_client: '5m' }));
    // For its first 200 s no client has reached its last connection: every close is the LB's,
    // and each TIME_WAIT lasts exactly 60 s.
    for (const t of [100, 150, 200])
      expect(valueAt(r, 'lb_time_wait', t)).toBe(sum(window(r, 'closed_fin', t - 50, t)));
    // Later each client's 6 requests are 6 connections: the LB closes 5 after 30 s idle, the
    // client the last one (that TIME_WAIT stays on the client's machine).
    const byLb = (sum(window(r, 'closed_fin', 250, 300)) * 5) / 6;
    expect(byLb).toBeGreaterThan(200);
    expect(Math.abs(valueAt(r, 'lb_time_wait', 300) - byLb)).toBeLessThanOrEqual(0.1 * byLb);
  });

  it('clients that close their connections themselves leave no TIME_WAIT on the LB', () => {
    const r = run(idle({}));
    expect(r.figures['closed_fin.total'] ?? 0).toBeLessThan(500);
    expect(Math.max(...window(r, 'lb_time_wait', 0, 300))).toBe(0);
  });
});
