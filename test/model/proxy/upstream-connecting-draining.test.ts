/**
 * A connect() still under way when the app's listener closes is refused, even though nginx's
 * upstream keep-alive cache holds a connection by then (proxy/upstream.ts handle: `conn.phase ===
 * CONNECTING`). nginx took no cached connection when it made the request's connect(): the cache was
 * empty (ngx_http_upstream_get_keepalive_peer returned NGX_OK, ngx_event_connect_peer made the
 * socket). Its SYN was dropped at the app's full accept queue (net/ipv4/tcp_input.c
 * tcp_conn_request: sk_acceptq_is_full → drop, no request sock), and the retransmission that
 * follows the SIGTERM finds no listener: RST, ECONNREFUSED, "connect() failed (111)", 502
 * (ngx_http_upstream_next with no other peer). nginx never moves a connect() in progress to a
 * connection cached since.
 *
 * Regime: a node app (one event loop, `backlog: 1`: its accept queue holds 2) behind nginx with
 * upstream keepalive, 10 requests/s of 200 ms each: the loop is saturated, nginx's connects beyond
 * the kept connections meet the full queue and retransmit their SYNs 1 s later. The liveness probe
 * (the model's check through nginx to the saturated app) times out at 2 s ("i/o timeout"), before
 * the maintenance file (2.2 s) would fail it, and the kubelet SIGTERMs the app at 2 s: node's server.close() closes the
 * listener (the connections in its accept queue reset: nginx.upstream_reset) and keeps serving its
 * busy kept connections, which nginx caches again after their response (sigterm_keepalive keep).
 * The load stops at 2.05 s, so each refusal after it is a retransmitted SYN from before the
 * SIGTERM, not a new request.
 *
 * This regime also explains the refusals tests28 saw "before the SIGTERM" with backlog 1: the
 * SIGTERM is the probe timeout's at 2 s, not the maintenance file's at 3 s; no connect() is
 * refused before it (a full accept queue drops a SYN, it never answers RST: tcp_abort_on_overflow
 * 0 is the default and the model's only behaviour).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { RequestPath } from '../../../sim/model/proxy/upstream.js';
import type { RunResult } from '../../../sim/result.js';
import { recordsOf } from '../../trace/records-of.js';
import { between, run } from '../helpers.js';
import { livenessKillBehindNginx } from '../liveness-kill-behind-nginx.js';

describe('a connect() retransmitting its SYN when a keep-alive node app closes its listener', () => {
  let r: RunResult;
  /** When nginx's connect()s to the app were refused (RequestPath.connectRefused). */
  const refusedAt: number[] = [];
  beforeAll(() => {
    const original = RequestPath.prototype.connectRefused;
    RequestPath.prototype.connectRefused = function (this: RequestPath, backend) {
      refusedAt.push((this as unknown as { w: { now: number } }).w.now);
      original.call(this, backend);
    };
    try {
      r = run(
        livenessKillBehindNginx({ workers: 1, accept_model: 'event_loop', backlog: 1, service_time: 'const(200ms)' }, [
          { at: '2.05s', do: 'load', http_rate: 0 },
        ]),
        1,
      );
    } finally {
      RequestPath.prototype.connectRefused = original;
    }
  });

  it('the regime: SYNs dropped at the full accept queue before the SIGTERM, which the probe timeout brings at 2 s', () => {
    const [failed] = recordsOf(r, 'k8s.liveness_failed');
    expect(failed.t).toBe(2);
    expect(failed.reason).toContain('i/o timeout');
    expect(between(r, 'syn_drops', 1, 2)).toBeGreaterThan(0);
    expect(between(r, 'syn_drops', 2, 10)).toBe(0);
    // server.close() at 2 s resets what waited in the accept queue.
    expect(recordsOf(r, 'nginx.upstream_reset')[0]?.t).toBe(2);
  });

  it('no connect() is refused before the SIGTERM: a full accept queue drops SYNs, it does not refuse them', () => {
    expect(refusedAt.filter((t) => t <= 2)).toEqual([]);
  });

  it('each SYN retransmitted after the SIGTERM is refused (502), not moved to a connection cached since', () => {
    // After the load stopped no request arrives: these are the connects under way at the SIGTERM.
    // Without the CONNECTING clause they took the connections nginx cached again after the
    // draining app's responses: 0 refused, 3 more 200s.
    const retransmitted = refusedAt.filter((t) => t > 2.05);
    expect(retransmitted.length).toBe(3);
    expect(between(r, 'responses_2xx', 2, 4)).toBe(7);
  });
});
