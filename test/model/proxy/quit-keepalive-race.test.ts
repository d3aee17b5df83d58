/**
 * `nginx -s quit` (master.ts shutDown): the QUIT's ngx_close_idle_connections
 * (src/core/ngx_connection.c) closes every idle keep-alive client connection at once (FIN). A
 * request the client writes before that FIN arrives and that reaches nginx after the close — the
 * one still on its way at the close included — meets the closed socket (RST: net/ipv4/tcp.c
 * __tcp_close, tcp_input.c tcp_rcv_state_process) and is lost (ECONNRESET); only such a request.
 * One that reached nginx before the QUIT is answered (with `Connection: close`).
 */
import { describe, it } from 'vitest';
import { expectRaceWindow, oneKeepAliveClient } from './keepalive-race-fixture.js';

const quitAt = (t: number) =>
  oneKeepAliveClient({
    think: '1s',
    horizon: '1.5s',
    timeline: [{ at: `${t}s`, do: 'nginx_quit', backend: 'vm-a' }],
  });

describe('nginx -s quit and the keep-alive race (60-ms round trip)', () => {
  it('loses the request written within rtt/2 of the close, before or after it, and no other', () => {
    // The second request leaves the client ~1.09 s in (its first answer + 1 s of think).
    expectRaceWindow(quitAt, 1.0, 1.15, 2);
  });
});
