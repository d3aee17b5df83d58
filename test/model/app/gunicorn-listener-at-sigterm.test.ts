/**
 * `app.sigterm_keepalive: gunicorn` on a worker-per-connection app (gunicorn's gthread worker,
 * 24.0–26.1): the listening socket stays open from SIGTERM to the worker's exit. The arbiter
 * closes its own copy (arbiter.py Arbiter.stop → sock.close_sockets) and SIGTERMs the worker;
 * the worker's run() (workers/gthread.py) only unregisters the listener from its poller
 * (set_accept_enabled(False)), loops while nr_conns > 0, and closes its sockets on its way out.
 * Meanwhile the kernel completes every connect into the accept queue, nobody accept()s it, and
 * the listener's last close resets each one (inet_csk_listen_stop → inet_child_forget): the
 * client's connect succeeds and its request ends in ECONNRESET at the exit (or its own timeout
 * first), not ECONNREFUSED at the SIGTERM; SYNs beyond the backlog are dropped and retransmitted.
 * Before session 28 the model closed the listener at SIGTERM (connects refused at once).
 * The worker exits once it holds no connection (run(): `while self.nr_conns > 0`), bounded by
 * shutdown_grace's kill (vm/lifecycle.ts gthreadExitsWhenIdle; before fin28 a VM's app exited
 * only at that kill).
 * Regimes: connects to the draining app keep coming (20 clients/s, one per connection's 20
 * requests, closed by the app after its first answer after the SIGTERM), and the exit comes
 * when the last connection held at the SIGTERM has had its next request (think time 6 s: ~6 s
 * after the SIGTERM, the sample ending at 16 s; shutdown_grace 10 s), so the
 * refusal/reset/timeout split is decided by the listener; and, for the exit itself, where the
 * kept connections end well before shutdown_grace's kill.
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
 * Two bare apps behind a NAT, keep-alive clients (20 requests 6 s apart, the app's
 * keepalive_timeout 8 s); vm-a SIGTERMed at 10 s, its app exiting once each connection it holds
 * has had its next request (~16 s; shutdown_grace 10 s).
 */
function nat(
  sigterm_keepalive: Model,
  app: Record<string, unknown> = {},
  http: Record<string, unknown> = {},
): RunResult {
  return run(
    {
      warmup: '0s',
      horizon: '20s',
      clients: {
        rtt: '1ms',
        // idle_timeout 0s: clients that keep their idle connections, closed by the app's keepalive only.
        http: {
          arrival_rate: 20,
          requests_per_connection: 'const(20)',
          think_time: 'const(6s)',
          idle_timeout: '0s',
          retries: 0,
          ...http,
        },
      },
      app: {
        workers: 64,
        service_time: 'const(50ms)',
        sigterm_keepalive,
        graceful_shutdown: true,
        shutdown_grace: '10s',
        keepalive_timeout: '8s',
        ...app,
      },
      lb: { mode: 'nat' },
      backends: twoBare(),
      timeline: [{ at: '10s', do: 'terminate', backend: 'vm-a', mode: 'graceful' }],
    } as ScenarioInput,
    1,
  );
}

/** Two bare apps behind HAProxy mode http (redispatch, no checks): 40 open-loop 500-ms requests/s; vm-a SIGTERMed at 10 s, killed at 15 s. */
function l7(sigterm_keepalive: Model): RunResult {
  return run(
    {
      warmup: '0s',
      horizon: '17s',
      clients: { rtt: '1ms', requests: { rate: 40, timeout: '8s', retries: 0, reused_connections: true } },
      app: { workers: 64, service_time: 'const(500ms)', sigterm_keepalive, ...graceful },
      lb: { mode: 'l7', redispatch: true },
      backends: twoBare(),
      timeline: [{ at: '10s', do: 'terminate', backend: 'vm-a', mode: 'graceful' }],
    } as ScenarioInput,
    1,
  );
}

/**
 * One pod behind nginx (upstream keepalive 32), 40 requests/s of exp(300 ms); a maintenance file
 * at 2.2 s fails the liveness probe at 3 s: the app drains with nginx still running, and exits
 * once nginx's cached connections to it have closed (vm/app-exit.ts: 2 s idle).
 */
function pod(): RunResult {
  return run(
    {
      warmup: '0s',
      horizon: '7s',
      clients: {
        rtt: '1ms',
        http: { arrival_rate: 40, requests_per_connection: 'const(1)', think_time: 'const(10ms)', retries: 0 },
      },
      app: { workers: 32, service_time: 'exp(mean=300ms)', sigterm_keepalive: 'gunicorn', keepalive_timeout: '2s' },
      nginx: { worker_processes: 1, upstream_keepalive: 32 },
      lb: { mode: 'nat', retries: 0 },
      probes: { liveness: { type: 'http', period: '1s', failure_threshold: 1 } },
      backends: [{ name: 'pod-a' }],
      timeline: [{ at: '2.2s', do: 'health_404', backend: 'pod-a' }],
    } as ScenarioInput,
    1,
  );
}

describe("app.sigterm_keepalive: gunicorn — the gthread worker's listener stays open, unattended, until its exit", () => {
  it('bare behind a NAT: connects after the SIGTERM succeed and are reset at the exit (ECONNRESET), not refused', () => {
    const r = nat('gunicorn');
    // Draining: the kernel completes the reconnects, nobody reads them — no error of any kind yet.
    expect(between(r, 'err_econnrefused', 10, 15)).toBe(0);
    expect(between(r, 'errors', 10, 15)).toBe(0);
    // The exit (the last held connection closed after its next request, ~6 s after the SIGTERM)
    // closes the listener: every queued connection is reset.
    expect(between(r, 'err_econnreset', 15, 16)).toBeGreaterThan(50);
    // From then on nothing listens: refused.
    expect(between(r, 'err_econnrefused', 16, 20)).toBeGreaterThan(20);
    // A closed listener (Go's Shutdown(): `close`) refuses them at once.
    const close = nat('close');
    expect(between(close, 'err_econnrefused', 10, 11)).toBeGreaterThan(5);
    expect(between(close, 'err_econnreset', 10, 20)).toBe(0);
  });

  it("bare behind a NAT, clients' request timeout 3 s: the parked requests time out (err_client_timeout) before the exit", () => {
    const r = nat('gunicorn', {}, { request_timeout: '3s' });
    expect(between(r, 'err_econnrefused', 10, 16)).toBe(0);
    expect(between(r, 'err_client_timeout', 12, 16)).toBeGreaterThan(20);
    // Those connected in the last 3 s before the exit are still waiting then: reset.
    expect(between(r, 'err_econnreset', 15, 16)).toBeGreaterThan(20);
  });

  it('bare behind a NAT, backlog 16: the unread accept queue fills, later SYNs are dropped and retransmitted, refused after the exit', () => {
    const r = nat('gunicorn', { backlog: 16 });
    expect(between(r, 'syn_drops', 11, 16)).toBeGreaterThan(80);
    expect(between(r, 'err_econnrefused', 10, 15)).toBe(0);
    // min(backlog, somaxconn) + 1 parked connections reset at the exit; the SYNs still being
    // retransmitted then meet no listener: refused.
    expect(between(r, 'err_econnreset', 15, 16)).toBeGreaterThan(10);
    expect(between(r, 'err_econnreset', 15, 16)).toBeLessThanOrEqual(17);
    expect(between(r, 'err_econnrefused', 16, 17)).toBeGreaterThan(40);
  });

  it('bare behind a NAT, the next request 1 s away: the exit (and its resets) comes when the last held connection closes, not at shutdown_grace', () => {
    // Each connection held at the SIGTERM has its next request within 1 s, served with
    // `Connection: close` and closed: nr_conns is 0 just after 11 s, the worker leaves run() and exits,
    // resetting the connections parked meanwhile; shutdown_grace's kill (10 s: at 20 s) never comes.
    const r = nat('gunicorn', {}, { think_time: 'const(1s)' });
    expect(between(r, 'err_econnreset', 10, 11)).toBe(0);
    expect(between(r, 'err_econnreset', 11, 12)).toBeGreaterThan(5);
    expect(between(r, 'err_econnreset', 12, 20)).toBe(0);
    expect(between(r, 'err_econnrefused', 11, 13)).toBeGreaterThan(40);
    // A request in hand keeps the worker: 2.5-s requests, the last (on a connection idle at the
    // SIGTERM, its next request within 1 s) answered ~13.5 s.
    const slow = nat('gunicorn', { service_time: 'const(2500ms)' }, { think_time: 'const(1s)' });
    expect(between(slow, 'err_econnreset', 10, 13)).toBe(0);
    expect(between(slow, 'err_econnreset', 13, 14)).toBeGreaterThan(20);
    expect(between(slow, 'err_econnreset', 14, 20)).toBe(0);
  });

  it('bare behind HAProxy mode http: its connects to the draining app succeed (none refused and redispatched); the requests are reset at the exit', () => {
    const r = l7('gunicorn');
    // HAProxy's server connections each carry one more request (`Connection: close`); the worker
    // exits once the last has closed, within the second after the SIGTERM, resetting the parked ones.
    expect(between(r, 'err_econnreset', 10, 11)).toBeGreaterThan(5);
    expect(between(r, 'errors', 10, 11)).toBe(between(r, 'err_econnreset', 10, 11));
    // After the exit, connects are refused and redispatched to vm-b: no error.
    expect(between(r, 'reset_in', 11, 14, 'vm-a')).toBeGreaterThan(50);
    expect(between(r, 'errors', 11, 17)).toBe(0);
    // `close`: refused at once and redispatched to vm-b, no error.
    const close = l7('close');
    expect(between(close, 'reset_in', 10, 11, 'vm-a')).toBeGreaterThan(25);
    expect(close.figures['errors.total'] ?? 0).toBe(0);
  });

  it("behind nginx (a pod's liveness kill): nginx's new connects wait in the accept queue, 502 only at the app's exit", () => {
    const r = pod();
    // Before, each connect after the cached connections were used met the closed listener: 502 at once.
    expect(between(r, 'responses_5xx', 3, 4)).toBe(0);
    expect(between(r, 'upstream_connects', 3, 4)).toBeGreaterThan(5);
    // The exit (~2 s after the SIGTERM, nginx's cached connections closed idle) resets them.
    expect(between(r, 'reset_in', 4, 5)).toBeGreaterThan(10);
    expect(between(r, 'responses_5xx', 4, 5)).toBeGreaterThan(30);
  });
});
