/**
 * A WebSocket upgrade through nginx with upstream keepalive (`nginx.upstream_keepalive` > 0):
 * ngx_http_upstream_get_keepalive_peer (nginx 1.22.1
 * src/http/modules/ngx_http_upstream_keepalive_module.c) hands any request an idle cached
 * connection to its peer, the upgrade included, so the upgrade needs no connect and, with TLS to
 * the app, no handshake (ngx_http_upstream_connect: `if (u->ssl && c->ssl == NULL)`). Its 101
 * clears u->keepalive (ngx_http_proxy_process_header), so at the tunnel's end
 * ngx_http_upstream_free_keepalive_peer drops it (`if (!u->keepalive) goto invalid`): the
 * connection leaves the cache for good and the next request that finds the cache empty connects
 * anew. Before session 21 every upgrade opened a new upstream connection (proxy/upstream.ts
 * cachedForUpgrade, app/ws-endpoint.ts nginxConnections).
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import type { NginxUpstreamTlsFull } from '../../../sim/trace/records.js';
import { run } from '../helpers.js';

/**
 * One HTTP request a second (paced, one per client connection): each finds the connection the
 * previous one left in nginx's cache (one worker). Upgrades at 3.5 s and 6.5 s, 1 s each. TLS ends
 * in the app without tickets, so every new upstream connection logs a full handshake
 * (nginx.upstream_tls_full) when it is made.
 */
function mixed(upstreamKeepalive: number): RunResult {
  return run({
    warmup: '0s',
    horizon: '10s',
    clients: {
      rtt: '1ms',
      http: { arrival_rate: 1, arrivals: 'paced', requests_per_connection: 'const(1)', think_time: 'const(10ms)' },
      ws: {
        initial_sessions: 0,
        ping_interval: 0,
        scheduled: [
          { at: '3.5s', lifetime: '1s' },
          { at: '6.5s', lifetime: '1s' },
        ],
      },
    },
    app: {
      workers: 2,
      service_time: 'const(1ms)',
      ws: { handshake_time: '1ms' },
      tls: { terminates: 'app', handshake_cpu: '5ms', session_tickets: false },
    },
    nginx: { worker_processes: 1, upstream_keepalive: upstreamKeepalive },
    backends: [{ name: 'vm-a' }],
  } as ScenarioInput);
}

/** When each full upstream handshake was (one per new upstream connection here). */
const fullsAt = (r: RunResult) =>
  r.events.filter((l) => l.record.kind === 'nginx.upstream_tls_full').map((l) => (l.record as NginxUpstreamTlsFull).t);

describe('a WebSocket upgrade through nginx with upstream keepalive', () => {
  it("takes the worker's cached connection: no connect, no handshake; the next HTTP request connects anew (before: the upgrade did)", () => {
    const r = mixed(32);
    const after = fullsAt(r).filter((t) => t > 1);
    // The upgrades' at 3.5 s and 6.5 s took the cached connection; the HTTP requests at 4 s and
    // 7 s found the cache empty. Before: [3.5, 6.5], the HTTP requests reusing their connection.
    expect(after.map((t) => Math.floor(t))).toEqual([4, 7]);
    expect(after.every((t) => t - Math.floor(t) < 0.1)).toBe(true);
    expect(r.figures['upstream_connects.total']).toBe(3);
  });

  it('the upgraded connection never goes back to the cache: the second upgrade finds only the HTTP one', () => {
    // Had the first tunnel's connection (closed at 4.5 s) been cached again, the upgrade at 6.5 s
    // would take it and the request at 7 s would still find its own: no handshake at 7 s.
    const r = mixed(32);
    expect(fullsAt(r).some((t) => t > 7 && t < 7.1)).toBe(true);
  });

  it('without upstream keepalive every upgrade and request connects anew, as before', () => {
    const r = mixed(0);
    const after = fullsAt(r).filter((t) => t > 3.2 && t < 8);
    expect(after.map((t) => Math.round(t * 10) / 10)).toEqual([3.5, 4, 5, 6, 6.5, 7]);
  });
});
