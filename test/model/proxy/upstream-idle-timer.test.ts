/**
 * nginx closes an idle cached upstream connection when its keepalive_timeout runs out, whether or
 * not another request comes: ngx_http_upstream_free_keepalive_peer arms `ngx_add_timer(c->read,
 * kp->conf->timeout)` on each connection it caches and ngx_http_upstream_keepalive_close_handler
 * closes it when the timer fires (src/http/modules/ngx_http_upstream_keepalive_module.c, 1.22.1),
 * or when the app's FIN comes first (its own idle timeout). The model keeps one timer per cache,
 * for its oldest entry (proxy/upstream.ts idleTimerFired). Before session 24 a connection was
 * closed only when the next request looked into the cache: with traffic stopped, never.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, valueAt } from '../helpers.js';

/** 10 keep-alive clients/s, 5 requests of 0.5 s each, through upstream keepalive 32; no new client after 20 s (traffic over by ~24 s). */
function trafficStops(appKeepalive?: string): RunResult {
  return run({
    warmup: '0s',
    horizon: '200s',
    clients: { http: { arrival_rate: 10, requests_per_connection: 5, think_time: 'const(100ms)' } },
    app: { workers: 64, service_time: 'const(500ms)', ...(appKeepalive ? { keepalive_timeout: appKeepalive } : {}) },
    nginx: { upstream_keepalive: 32 },
    backends: [{ name: 'vm-a' }],
    timeline: [{ at: '20s', do: 'load', http_rate: 0 }],
  } as ScenarioInput);
}

describe("the upstream keep-alive cache's idle timer", () => {
  it('nginx closes the idle cached connections at keepalive_timeout (60 s) with no request coming: nginx holds the TIME_WAITs', () => {
    const r = trafficStops();
    // 32 cached (and ports held by a few TIME_WAITs of evictions) until the idle timers run out.
    expect(valueAt(r, 'upstream_ports_busy', 70, 'vm-a')).toBeGreaterThanOrEqual(32);
    expect(valueAt(r, 'time_wait', 70, 'vm-a')).toBeLessThan(10);
    // nginx closed first, 60 s after each was cached (14–24 s): its side holds the 4-tuple in TIME_WAIT.
    expect(valueAt(r, 'time_wait', 90, 'vm-a')).toBeGreaterThanOrEqual(30);
    // ...for 60 s, then the ports are free. Before: 32 cached connections held their ports to the end.
    expect(valueAt(r, 'time_wait', 160, 'vm-a')).toBe(0);
    expect(valueAt(r, 'upstream_ports_busy', 160, 'vm-a')).toBe(0);
  });

  it("the app's shorter idle timeout (10 s) closes them first: the app holds the TIME_WAITs, nginx's ports are free", () => {
    const r = trafficStops('10s');
    // Only the ports of a few connections nginx evicted beyond 32 (its TIME_WAITs) are still held.
    expect(valueAt(r, 'upstream_ports_busy', 40, 'vm-a')).toBeLessThan(10);
    expect(valueAt(r, 'time_wait', 40, 'vm-a')).toBeGreaterThanOrEqual(30);
  });
});
