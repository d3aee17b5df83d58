/**
 * lb.mode l7: a reload's soft stop (lb/l7-http-front.ts softStop: mux_stopping_process wakes every
 * idle front connection, h1_process releases it, FIN) closes the old process's idle client
 * connections at once. A request the client writes before that FIN arrives and that reaches the
 * balancer after the close — the one still on its way at the close included — meets the closed
 * socket (RST: net/ipv4/tcp.c __tcp_close, tcp_input.c tcp_rcv_state_process) and is lost
 * (ECONNRESET); only such a request: the keep-alive race is between the client and the balancer,
 * one round trip wide as nginx's (test/model/proxy/keepalive-race-fixture.ts).
 */
import { describe, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { expectRaceWindow, oneKeepAliveClient } from '../proxy/keepalive-race-fixture.js';

const reloadAt = (t: number): ScenarioInput => {
  const input = oneKeepAliveClient({
    think: '1s',
    horizon: '1.5s',
    timeline: [{ at: `${t}s`, do: 'lb_reload' }],
  });
  (input as { lb: Record<string, unknown> }).lb = { mode: 'l7' };
  return input;
};

describe('an L7 balancer reload (soft stop) and the keep-alive race (60-ms round trip)', () => {
  it('loses the request written within rtt/2 of the close, before or after it, and no other', () => {
    // The second request leaves the client ~1.09 s in (its first answer + 1 s of think).
    expectRaceWindow(reloadAt, 1.0, 1.15, 2);
  });
});
