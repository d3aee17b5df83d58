/**
 * `app.sigterm_keepalive: gunicorn`: gunicorn's gthread worker (>= 24.0, as of 26.1.0) closes no
 * connection at SIGTERM. workers/gthread.py handle_exit() sets `alive = False` and wakes the
 * poller; run() unregisters the listener (set_accept_enabled(False)) and loops while nr_conns > 0
 * (up to graceful_timeout) with its kept-alive connections still in the poller: a request that
 * comes on one is served (on_client_socket_readable → handle → handle_request(), `if not
 * self.alive … resp.force_close()`: `Connection: close`) and the connection closed after
 * (finish_request); one that stays idle closes at `keepalive` after its last response
 * (murder_keepalived). Go's Shutdown() (`close`) closes the idle ones at once (closeIdleConns).
 * Before session 27 `close` stood for gunicorn too, closing them at the SIGTERM.
 * Regimes: where the app's kept connections are idle at the SIGTERM and their next request
 * comes within keepalive_timeout (2 s), so whether they are still open decides who answers it.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { between, run } from '../helpers.js';

type Model = 'close' | 'gunicorn';
const twoBare = (): ScenarioInput['backends'] => [
  { name: 'vm-a', proxy: 'none' },
  { name: 'vm-b', proxy: 'none' },
];
const graceful = { graceful_shutdown: true, shutdown_grace: '5s', keepalive_timeout: '2s' };

/**
 * One pod behind nginx (upstream keepalive 32), 40 requests/s (one per client connection) of
 * exp(300 ms) behind kube-proxy; a maintenance file at 2.2 s fails the liveness probe at 3 s, so
 * the app drains with nginx still running: nginx's next requests take its cached connections.
 */
function pod(sigterm_keepalive: Model): RunResult {
  return run(
    {
      warmup: '0s',
      horizon: '10s',
      clients: {
        rtt: '1ms',
        http: { arrival_rate: 40, requests_per_connection: 'const(1)', think_time: 'const(10ms)', retries: 0 },
      },
      app: { workers: 32, service_time: 'exp(mean=300ms)', sigterm_keepalive, keepalive_timeout: '2s' },
      nginx: { worker_processes: 1, upstream_keepalive: 32 },
      lb: { mode: 'nat', retries: 0 },
      probes: { liveness: { type: 'http', period: '1s', failure_threshold: 1 } },
      backends: [{ name: 'pod-a' }],
      timeline: [{ at: '2.2s', do: 'health_404', backend: 'pod-a' }],
    } as ScenarioInput,
    1,
  );
}

/** Two bare apps behind HAProxy mode http: 40 open-loop 500-ms requests/s over its kept-alive server connections; vm-a SIGTERMed at 10 s. */
function l7(sigterm_keepalive: Model): RunResult {
  return run(
    {
      warmup: '0s',
      horizon: '13s',
      clients: { rtt: '1ms', requests: { rate: 40, timeout: '8s', retries: 0, reused_connections: true } },
      app: { workers: 64, service_time: 'const(500ms)', sigterm_keepalive, ...graceful },
      lb: { mode: 'l7', redispatch: true },
      backends: twoBare(),
      timeline: [{ at: '10s', do: 'terminate', backend: 'vm-a', mode: 'graceful' }],
    } as ScenarioInput,
    1,
  );
}

/** Two bare apps behind a NAT: keep-alive clients (20 requests, 1 s apart) on their own connections to the app; vm-a SIGTERMed at 10 s. */
function nat(sigterm_keepalive: Model): RunResult {
  return run(
    {
      warmup: '0s',
      horizon: '13s',
      clients: {
        rtt: '1ms',
        http: { arrival_rate: 20, requests_per_connection: 'const(20)', think_time: 'const(1s)', retries: 0 },
      },
      app: { workers: 64, service_time: 'const(50ms)', sigterm_keepalive, ...graceful },
      lb: { mode: 'nat' },
      backends: twoBare(),
      timeline: [{ at: '10s', do: 'terminate', backend: 'vm-a', mode: 'graceful' }],
    } as ScenarioInput,
    1,
  );
}

describe('app.sigterm_keepalive: gunicorn — the connections idle at SIGTERM stay open until keepalive_timeout', () => {
  it("behind nginx (a pod's liveness kill): the requests nginx sends on its cached connections are served, not refused", () => {
    const close = pod('close');
    const gunicorn = pod('gunicorn');
    // close: only the requests in flight at the SIGTERM end in 2xx after it; every later one
    // connect()s to the closed listener (502). gunicorn: one request more per idle cached connection.
    expect(between(close, 'responses_2xx', 3, 4)).toBeLessThan(8);
    expect(between(gunicorn, 'responses_2xx', 3, 4)).toBeGreaterThan(between(close, 'responses_2xx', 3, 4) + 8);
    expect(between(gunicorn, 'responses_5xx', 3, 4)).toBeLessThan(between(close, 'responses_5xx', 3, 4) - 8);
  });

  it('bare behind HAProxy mode http: HAProxy reuses its idle server connections, fewer connects meet the closed listener', () => {
    const close = l7('close');
    const gunicorn = l7('gunicorn');
    // reset_in on vm-a: connects refused by its closed listener (each redispatched to vm-b).
    const refused = (r: RunResult): number => between(r, 'reset_in', 10, 11, 'vm-a');
    expect(refused(close)).toBeGreaterThan(25);
    expect(refused(gunicorn)).toBeLessThan(refused(close) - 5);
    expect(close.figures['errors.total'] ?? 0).toBe(0);
    // gunicorn's only errors: the connects parked in its kept listener, reset at its exit once
    // HAProxy's server connections have closed (gunicorn-listener-at-sigterm.test.ts).
    expect(gunicorn.figures['errors.total'] ?? 0).toBe(between(gunicorn, 'err_econnreset', 10, 11));
  });

  it("bare behind a NAT: a client's next request on its idle connection is served (then closed), not refused on a new one", () => {
    const close = nat('close');
    const gunicorn = nat('gunicorn');
    expect(between(close, 'err_econnrefused', 10, 11)).toBeGreaterThan(30);
    expect(between(gunicorn, 'err_econnrefused', 10, 11)).toBeLessThan(15);
    expect(between(gunicorn, 'responses_2xx', 10, 11)).toBeGreaterThan(between(close, 'responses_2xx', 10, 11) + 25);
    // Each was closed after its answer; the worker exits once the last has closed (~11 s), and
    // the reconnects a think time later meet no listener (gunicorn-listener-at-sigterm.test.ts).
  });
});
