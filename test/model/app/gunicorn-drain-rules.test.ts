/**
 * Rules of a draining gunicorn worker (`app.sigterm_keepalive: gunicorn`, session 28's app28/fin28)
 * that no other test decides (mut29's mutation audit):
 * - the gthread worker serves what it had accept()ed into its thread pool's queue at the SIGTERM
 *   (workers/gthread.py accept → enqueue_req; nr_conns counts them): nothing is reset then
 *   (app-server.ts listenerClosed returns nothing while the listener is kept);
 * - gunicorn's gevent worker (an `accept_model: event_loop` app) closes its listening sockets within
 *   its run() once `alive` is False (workers/ggevent.py: server.close()), so connects after the
 *   SIGTERM are refused at once, as with `close` (app-process.ts keepsListenerDraining);
 * - the gthread worker's exit waits while HAProxy's idle server connections to it are open
 *   (nr_conns counts the kept-alive connections until murder_keepalived closes them at
 *   `keepalive`; vm/lifecycle.ts gthreadHoldsConns).
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import { buildModel, startModel } from '../../../sim/run-scenario.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { between, run, scenario } from '../helpers.js';

type Model = 'close' | 'gunicorn';

/**
 * One bare app behind HAProxy mode http (no retries) with 2 workers of 1-s requests; 4 open-loop
 * requests/s, each on a new server connection (no reuse): the queue grows by ~2 a second, ~9
 * first requests of new connections wait in it at the SIGTERM (5 s); shutdown_grace 30 s.
 */
function queued(sigterm_keepalive: Model): RunResult {
  return run(
    {
      warmup: '0s',
      horizon: '12s',
      clients: { rtt: '1ms', requests: { rate: 4, arrivals: 'paced', timeout: '30s', retries: 0 } },
      app: {
        workers: 2,
        service_time: 'const(1s)',
        sigterm_keepalive,
        graceful_shutdown: true,
        shutdown_grace: '30s',
      },
      lb: { mode: 'l7', retries: 0 },
      backends: [{ name: 'vm-a', proxy: 'none' }],
      timeline: [{ at: '5s', do: 'terminate', backend: 'vm-a', mode: 'graceful' }],
    } as ScenarioInput,
    1,
  );
}

describe('gunicorn gthread at SIGTERM: the requests its workers had queued are served, not reset', () => {
  it('2 workers, ~9 queued at the SIGTERM: none reset then, answered 2 a second after it (close: reset at the SIGTERM)', () => {
    const g = queued('gunicorn');
    // (A sample at t counts what happened in (t − 1, t]: the SIGTERM's instant is in (4, 5].)
    expect(between(g, 'req_5xx', 4, 5)).toBe(0);
    expect(between(g, 'goodput', 5, 10)).toBeGreaterThanOrEqual(8);
    // The listener closed at SIGTERM (session 21: the kernel resets its accept queue).
    const c = queued('close');
    expect(between(c, 'req_5xx', 4, 5)).toBeGreaterThan(5);
    expect(between(c, 'goodput', 6, 10)).toBe(0);
  });
});

describe("gunicorn's gevent worker (accept_model: event_loop) closes its listener at SIGTERM", () => {
  it('connects after the SIGTERM are refused at once, none parked and reset later', () => {
    const r = run(
      {
        warmup: '0s',
        horizon: '14s',
        clients: {
          rtt: '1ms',
          http: { arrival_rate: 20, requests_per_connection: 'const(20)', think_time: 'const(6s)', retries: 0 },
        },
        app: {
          accept_model: 'event_loop',
          workers: 1,
          service_time: 'const(5ms)',
          sigterm_keepalive: 'gunicorn',
          graceful_shutdown: true,
          shutdown_grace: '10s',
          keepalive_timeout: '8s',
        },
        lb: { mode: 'nat' },
        backends: [
          { name: 'vm-a', proxy: 'none' },
          { name: 'vm-b', proxy: 'none' },
        ],
        timeline: [{ at: '10s', do: 'terminate', backend: 'vm-a', mode: 'graceful' }],
      } as ScenarioInput,
      1,
    );
    expect(between(r, 'err_econnrefused', 10, 11)).toBeGreaterThan(5);
    expect(between(r, 'err_econnreset', 10, 14)).toBe(0);
  });
});

describe("gunicorn gthread behind HAProxy mode http: HAProxy's idle server connections hold the worker", () => {
  it('drained at 9 s, SIGTERMed at 9.5 s: up while its idle connections live (keepalive 4 s), gone once they are closed', () => {
    const model = buildModel(
      scenario({
        warmup: '0s',
        horizon: '20s',
        clients: { rtt: '1ms', requests: { rate: 40, timeout: '8s', retries: 0, reused_connections: true } },
        app: {
          workers: 64,
          service_time: 'const(100ms)',
          sigterm_keepalive: 'gunicorn',
          graceful_shutdown: true,
          shutdown_grace: '30s',
          keepalive_timeout: '4s',
        },
        lb: { mode: 'l7' },
        backends: [
          { name: 'vm-a', proxy: 'none' },
          { name: 'vm-b', proxy: 'none' },
        ],
        timeline: [
          { at: '9s', do: 'drain', backend: 'vm-a' },
          { at: '9.5s', do: 'terminate', backend: 'vm-a', mode: 'graceful' },
        ],
      } as ScenarioInput),
    );
    const w = model.world;
    const a = w.backends[0];
    startModel(model);
    w.engine.run(9.4);
    // Reuse: HAProxy holds idle connections to vm-a when no more requests go there.
    expect(model.serverConns!.idleCount(0)).toBeGreaterThan(2);
    w.engine.run(12);
    // No request in hand, none queued: only the idle connections keep nr_conns above 0.
    expect(model.serverConns!.idleCount(0)).toBeGreaterThan(0);
    expect(a.app.up).toBe(true);
    // gunicorn's keepalive (4 s after each last response, ~13.1 s) closes them; the worker then exits.
    w.engine.run(14);
    expect(model.serverConns!.idleCount(0)).toBe(0);
    expect(a.app.up).toBe(false);
  });
});

describe('gunicorn gthread: an open WebSocket session holds the worker (nr_conns > 0)', () => {
  // gunicorn-23 (20.1-23.x) alike: the session is a request in hand, one of the thread pool's
  // futures that run() waits for after its loop (`futures.wait(self.futures, timeout=…)`).
  for (const value of ['gunicorn', 'gunicorn-23'])
    it(`${value}: bare behind HAProxy mode http: the tunnels stay until shutdown_grace’s kill, not cut ~0.1 s after the SIGTERM`, () => {
      const r = run(
        {
          warmup: '0s',
          horizon: '40s',
          sample_interval: '1s',
          clients: {
            ws: {
              initial_sessions: 20,
              initial_ramp: '2s',
              start: 'cold',
              lifetime: 'const(1h)',
              ping_interval: 0,
              reconnect: { policy: 'exponential', base: '1s', cap: '1s' },
            },
          },
          app: { sigterm_keepalive: value, graceful_shutdown: true, shutdown_grace: '20s', keepalive_timeout: '2s' },
          lb: { mode: 'l7', redispatch: true },
          backends: [
            { name: 'vm-a', proxy: 'none' },
            { name: 'vm-b', proxy: 'none' },
          ],
          timeline: [{ at: '10s', do: 'terminate', backend: 'vm-a', mode: 'graceful' }],
        } as ScenarioInput,
        1,
      );
      // vm-a's tunnels are open at the SIGTERM; none ends until the kill at 30 s, where each does (1006).
      expect(between(r, 'ws_close_1006', 10, 29, 'vm-a')).toBe(0);
      expect(between(r, 'ws_close_1006', 29, 32, 'vm-a')).toBeGreaterThan(5);
    });
});
