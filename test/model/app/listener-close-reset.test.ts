/**
 * The app closes its listening socket at SIGTERM (graceful_shutdown): the connections still in its
 * accept queue are reset by the kernel (net/ipv4/inet_connection_sock.c inet_csk_listen_stop →
 * inet_child_forget → tcp_disconnect: RST; net.ipv4.tcp_migrate_req, default 0, moves none), their
 * requests never read (AppServer.listenerClosed, vm/lifecycle.ts appSigterm). Behind nginx, nginx
 * reads ECONNRESET on each ("recv() failed (104: Connection reset by peer) while reading response
 * header from upstream") and answers 502, as for a kill's unread requests. Before session 21 the
 * draining app went on to serve them.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { between, run } from '../helpers.js';

/**
 * One app worker at 300 ms a request behind nginx, 10 requests/s (one per client connection,
 * paced): 3× overloaded, ~20 requests queued — connections no worker has accept()ed — at the
 * SIGTERM at 3 s.
 */
function overloaded(bare = false): RunResult {
  return run({
    warmup: '0s',
    horizon: '10s',
    clients: {
      rtt: '1ms',
      http: { arrival_rate: 10, arrivals: 'paced', requests_per_connection: 'const(1)', think_time: 'const(10ms)' },
    },
    app: { workers: 1, service_time: 'const(300ms)', graceful_shutdown: true, shutdown_grace: '30s' },
    backends: [{ name: 'vm-a', ...(bare ? { proxy: 'none' } : {}) }],
    ...(bare ? { lb: { mode: 'l4' } } : {}),
    timeline: [{ at: '3s', do: 'terminate', backend: 'vm-a', mode: 'graceful' }],
  } as ScenarioInput);
}

describe("an app's listener closed at SIGTERM resets the connections in its accept queue", () => {
  it('behind nginx, a worker-per-connection app: the queued requests get 502 at the SIGTERM, only the one in service is answered after it', () => {
    const r = overloaded();
    const resets = r.events.filter((l) => l.record.kind === 'nginx.upstream_reset' && l.t === 3).length;
    expect(resets).toBeGreaterThan(0);
    expect(between(r, 'reset_in', 2.99, 3.01)).toBeGreaterThanOrEqual(15);
    // Before: the draining worker served the ~20 queued requests one by one (6 s of work).
    expect(between(r, 'responses_2xx', 3.01, 10)).toBeLessThanOrEqual(1);
  });

  it("a bare node-like event loop behind lb.mode l4: the clients' connections it has not accept()ed yet are reset at the SIGTERM (server.close())", () => {
    // The loop accept()s one connection per 300-ms iteration: ~20 wait in its accept queue at 3 s.
    const r = overloaded(true);
    expect(between(r, 'reset_in', 2.99, 3.01)).toBeGreaterThanOrEqual(15);
    // The accepted connections' requests are still read and answered (2: the one in service, the one accepted).
    // Before: 0 reset and 21 answered after the SIGTERM.
    expect(between(r, 'responses_2xx', 3.01, 10)).toBeLessThanOrEqual(2);
  });
});
