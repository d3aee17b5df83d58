/**
 * A draining gunicorn (app.sigterm_keepalive: gunicorn) serves a request that comes on a kept-alive
 * connection but answers it `Connection: close` (workers/gthread.py handle_request(): `if not
 * self.alive … resp.force_close()`) and closes it after. HAProxy reads the close in the response
 * and does not reuse the server connection (mux_h1.c h1_set_srv_conn_mode(): H1_MF_CONN_CLO sets
 * H1S_F_WANT_CLO). review47 A5: sim/model/lb/l7-server-conns.ts, `closesAfter` of a bare app
 * reads keepsAliveAfterResponse (draining included), not only `app.keepalive: close`.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { between, run, valueAt } from '../helpers.js';

/** One bare gunicorn behind HAProxy mode http, 20 paced keep-alive requests/s, SIGTERM at 5 s. */
const input = {
  warmup: '0s',
  horizon: '10s',
  clients: {
    rtt: '1ms',
    requests: { rate: 20, arrivals: 'paced', timeout: '8s', retries: 0, reused_connections: true },
  },
  app: {
    service_time: 'const(1ms)',
    sigterm_keepalive: 'gunicorn',
    graceful_shutdown: true,
    shutdown_grace: '30s',
    keepalive_timeout: '2s',
  },
  lb: { mode: 'l7' },
  backends: [{ name: 'vm-a', proxy: 'none' }],
  timeline: [{ at: '5s', do: 'terminate', backend: 'vm-a', mode: 'graceful' }],
} as ScenarioInput;

describe('l7: HAProxy does not reuse a server connection a draining app answered with Connection: close', () => {
  it('after SIGTERM each idle pooled connection carries at most one request', () => {
    const r = run(input, 1);
    const pooled = valueAt(r, 'lb_idle_conns', 5, 'vm-a');
    expect(pooled).toBeGreaterThanOrEqual(1);
    // Every request after the SIGTERM would ride the one pooled connection (20 per second) if
    // HAProxy reused it: gunicorn serves whatever comes on it until graceful_timeout.
    const served = between(r, 'goodput', 5, 10, 'vm-a');
    expect(served).toBeGreaterThanOrEqual(1);
    expect(served).toBeLessThanOrEqual(pooled);
    expect(valueAt(r, 'lb_idle_conns', 6, 'vm-a')).toBe(0);
  });
});
