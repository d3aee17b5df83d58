/**
 * A WebSocket upgrade through the VM's nginx to an app that ends TLS (`app.tls.terminates: app`,
 * `proxy_pass https://`): the upgrade goes on a new upstream connection, whose TLS handshake nginx
 * runs before sending it (ngx_http_upstream_ssl_init_connection) and resumes with its worker's
 * saved session (proxy_ssl_session_reuse), as for an HTTP request (app/tls.ts
 * TlsHandshakes.upstream, ws-endpoint.ts submitWork). Before session 20 the app was charged a full
 * handshake at each client connection's SYN, whether or not an upgrade followed.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import type { NginxUpstreamTlsFull } from '../../../sim/trace/records.js';
import { mean, run, window } from '../helpers.js';

/** 20 WebSocket sessions/s of 2 s through nginx (2 workers) to one app worker; no HTTP traffic. */
function tunnels(tls: Record<string, unknown>): RunResult {
  return run({
    warmup: '0s',
    horizon: '20s',
    clients: { ws: { arrival_rate: 20, lifetime: 'const(2s)' } },
    app: { workers: 1, service_time: 'const(1ms)', ws: { handshake_time: '1ms' }, tls },
    nginx: { worker_processes: 2 },
    backends: [{ name: 'vm-a' }],
  } as ScenarioInput);
}

const busy = (r: RunResult) => mean(window(r, 'app_busy', 5, 20, 'vm-a'));
const fulls = (r: RunResult) =>
  r.events.filter((l) => l.record.kind === 'nginx.upstream_tls_full').map((l) => l.record as NginxUpstreamTlsFull);

/** A 40-ms full handshake (exaggerated), 1 ms resumed. */
const SLOW = { terminates: 'app', handshake_cpu: '40ms', resumed_handshake_cpu: '1ms' };

describe("a WebSocket upgrade's TLS handshake with the app behind nginx", () => {
  it("resumes the nginx worker's saved session: only each worker's first upgrade is a full handshake", () => {
    const r = tunnels(SLOW);
    expect(fulls(r).map((f) => [f.worker, f.why])).toEqual([
      [0, 'first'],
      [1, 'first'],
    ]);
    // 20 upgrades/s × (1 ms + 1 ms resumed): ~0.04 of the worker (a sampled gauge). Before: 20 × 41 ms = 0.82.
    expect(busy(r)).toBeLessThan(0.2);
  });

  it('without session tickets every upgrade is a full handshake', () => {
    const r = tunnels({ ...SLOW, session_tickets: false });
    expect(fulls(r)[0].why).toBe('no_tickets');
    // 20 × (40 + 1) ms = 0.82 of the worker (a sampled gauge).
    expect(busy(r)).toBeGreaterThan(0.5);
  });
});
