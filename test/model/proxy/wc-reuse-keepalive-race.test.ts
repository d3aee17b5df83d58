/**
 * worker_connections full: a new connection's accept makes nginx close the longest-idle
 * keep-alive client (worker-connections.ts drain: ngx_drain_connections, c->close and its read
 * handler, FIN). A request that client writes before the FIN arrives and that reaches nginx
 * after the close is lost (ECONNRESET); only such a request.
 */
import { describe, it } from 'vitest';
import { expectRaceWindow, oneKeepAliveClient } from './keepalive-race-fixture.js';

/**
 * worker_connections 4 (one listener, the idle client, its upstream connection cached, one
 * more): a second client connecting at `t` (accepted one round trip later) takes the idle one's
 * place, whose next request is due ~1.09 s in.
 */
const secondClientAt = (t: number) =>
  oneKeepAliveClient({
    think: '1s',
    horizon: '1.3s',
    nginx: { worker_connections: 4 },
    timeline: [
      { at: `${t}s`, do: 'load', http_rate: 1 },
      { at: `${Math.round((t + 0.5) * 1e6) / 1e6}s`, do: 'load', http_rate: 0 },
    ],
  });

describe('worker_connections reuse of an idle connection and the keep-alive race (60-ms round trip)', () => {
  it('loses the request written within rtt/2 of the close, before or after it, and no other', () => {
    // Answered: the first client's two requests and the second client's first.
    expectRaceWindow(secondClientAt, 0.95, 1.1, 3);
  });
});
