/**
 * A bare app server (proxy: none, behind a NAT) closes its idle keep-alive connections at its
 * SIGTERM (node's server.close() → closeIdleConnections(), lib/_http_server.js; vm/lifecycle.ts
 * bareAppClosesIdle): a FIN, which reaches the client rtt/2 later. A client that wrote its next
 * request before that FIN arrived loses it (ECONNRESET: the request meets the closed socket, RST,
 * net/ipv4/tcp.c __tcp_close, tcp_input.c tcp_rcv_state_process) unless it reached the app before
 * the close — as at nginx's closes (proxy/stop-keepalive-race.test.ts): the window is one round
 * trip of closes around the write (keepalive-race-fixture.ts). Before session 26 only a request
 * still on its way at the close was lost; one written in the rtt/2 after it was sent again on a
 * new connection (6–7 steps, not 12–13).
 */
import { describe, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { expectRaceWindow, oneKeepAliveClient } from '../proxy/keepalive-race-fixture.js';

const sigtermAt = (t: number): ScenarioInput => {
  const input = oneKeepAliveClient({
    think: '1s',
    horizon: '1.5s',
    timeline: [{ at: `${t}s`, do: 'terminate', backend: 'vm-a', mode: 'graceful' }],
  });
  return {
    ...input,
    app: { ...input.app, graceful_shutdown: true, keepalive_timeout: '6s' },
    backends: [{ name: 'vm-a', proxy: 'none' }],
  } as ScenarioInput;
};

describe("a bare app's SIGTERM and the keep-alive race (60-ms round trip)", () => {
  it('loses the request written within rtt/2 of the close, before or after it, and no other', () => {
    // The second request leaves the client ~1.09 s in (its first answer + 1 s of think).
    expectRaceWindow(sigtermAt, 1.0, 1.15, 2);
  });
});
