/**
 * A keep-alive client's request written just before the server end closes the connection is on
 * its way for rtt/2 (clients/http-keepalive.ts sendWhenDue/send): a close in that time (here
 * HAProxy mode tcp's `shutdown sessions`, stream_shutdown(), src/stream.c: vm/lifecycle.ts proxyShutsStream
 * → serverEnds, no keep-alive-race test of its own) meets it: the request reaches a closed socket
 * and gets RST (net/ipv4/tcp.c __tcp_close) — ECONNRESET at the client, and the request counted,
 * so that requests = answered + errors (http-keepalive.ts serverGone `onItsWay`). review45 K8:
 * not seeing the request on its way, the client read the FIN as an idle close and sent it again
 * on a new connection, no error; K5: the error with no request counted (requests < served + errors).
 */
import { describe, expect, it } from 'vitest';
import { run } from '../helpers.js';
import { oneKeepAliveClient, RACE_RTT } from '../proxy/keepalive-race-fixture.js';

describe('a request on its way when the proxy shuts the stream', () => {
  it('closes in the rtt/2 before its arrival reset it (ECONNRESET, counted); requests = answered + errors in every run', () => {
    const step = 0.005;
    const hits: number[] = [];
    for (let k = 0; k <= 18; k++) {
      const t = Math.round((0.25 + k * step) * 1e6) / 1e6;
      const input = oneKeepAliveClient({
        think: '200ms',
        horizon: '2s',
        timeline: [{ at: `${t * 1000}ms`, do: 'shutdown_sessions', backend: 'vm-a' }],
      });
      const r = run({ ...input, lb: { mode: 'l4' } }, 1);
      const f = r.figures;
      const answered = (f['responses_2xx.total'] ?? 0) + (f['responses_5xx.total'] ?? 0);
      expect(f['requests.total']).toBe(answered + (f['errors.total'] ?? 0));
      if ((f['err_econnreset.total'] ?? 0) > 0) {
        hits.push(k);
        // The first request answered, the second lost; the client does not retry (retries 0) and
        // goes on with its next requests on a new connection (clients.http.after_failure next_request).
        expect(f['requests.total']).toBe(8);
        expect(f['err_econnreset.total']).toBe(1);
        expect(f['responses_2xx.total']).toBe(7);
        expect(f['new_conn.total']).toBe(2);
      } else expect(f['responses_2xx.total']).toBe(8);
    }
    // rtt/2 of closes, contiguous: the request's 30 ms on its way.
    expect(hits.length).toBe(Math.round(RACE_RTT / 2 / step));
    expect(hits.at(-1)! - hits[0]).toBe(hits.length - 1);
  });
});
