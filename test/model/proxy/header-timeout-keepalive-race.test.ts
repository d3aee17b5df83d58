/**
 * clients.http.reconnect eager: the client replaces the connection nginx closed for
 * keepalive_timeout at once, and the new one waits for its request under client_header_timeout
 * (client-conns.ts headerTimedOut: ngx_http_wait_request_handler, "client timed out",
 * ngx_http_close_connection — FIN). A request the client writes before that FIN arrives and
 * that reaches nginx after the close is lost (ECONNRESET); only such a request.
 */
import { describe, it } from 'vitest';
import { expectRaceWindow, oneKeepAliveClient } from './keepalive-race-fixture.js';

/** keepalive_timeout 300 ms closes the first connection; the replacement waits `t` s for the request due ~1.09 s in. */
const headerTimeout = (t: number) =>
  oneKeepAliveClient({
    think: '1s',
    horizon: '1.3s',
    http: { reconnect: 'eager' },
    nginx: { keepalive_timeout: '300ms', client_header_timeout: `${Math.round(t * 1000)}ms` },
  });

describe('client_header_timeout on an eagerly reopened connection and the keep-alive race (60-ms round trip)', () => {
  it('loses the request written within rtt/2 of the close, before or after it, and no other', () => {
    expectRaceWindow(headerTimeout, 0.55, 0.75, 2);
  });
});
