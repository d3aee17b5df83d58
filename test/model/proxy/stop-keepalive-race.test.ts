/**
 * `nginx -s stop` (master.ts stop) closes every idle keep-alive client connection at once (the
 * workers exit, the kernel sends FIN): a client that wrote its next request before that FIN
 * arrived loses it (ECONNRESET) unless it reached nginx before the stop — a request still on its
 * way meets the closed socket too (RST) — as at a QUIT (quit-keepalive-race.test.ts); only such a
 * request.
 */
import { describe, it } from 'vitest';
import { expectRaceWindow, oneKeepAliveClient } from './keepalive-race-fixture.js';

const stopAt = (t: number) =>
  oneKeepAliveClient({
    think: '1s',
    horizon: '1.5s',
    timeline: [{ at: `${t}s`, do: 'nginx_stop', backend: 'vm-a' }],
  });

describe('nginx -s stop and the keep-alive race (60-ms round trip)', () => {
  it('loses the request written within rtt/2 of the close, before or after it, and no other', () => {
    // The second request leaves the client ~1.09 s in (its first answer + 1 s of think).
    expectRaceWindow(stopAt, 1.0, 1.15, 2);
  });
});
