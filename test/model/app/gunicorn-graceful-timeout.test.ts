/**
 * `app.graceful_timeout` (gunicorn's `--graceful-timeout`, 30 s by default: gunicorn/config.py
 * GracefulTimeout): SIGTERMed, gunicorn's arbiter SIGTERMs its workers and SIGKILLs those still
 * alive graceful_timeout later (arbiter.py Arbiter.stop(): `limit = time.time() +
 * self.cfg.graceful_timeout`, then kill_workers(SIGKILL)) — for both gunicorn values, on a VM.
 * Regime: requests of 10 s, so the ones in hand at the SIGTERM outlive a 3-s graceful_timeout
 * and not a 30-s shutdown_grace: the kill, not the requests' end, decides whether they are answered.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import { recordsOf } from '../../trace/records-of.js';
import { between, pacedConnects, run } from '../helpers.js';

/** One bare app behind a NAT: a 10-s request per new connection every 1 s; SIGTERM at 12 s (10 in hand). */
const drain = (
  sigterm_keepalive: string,
  graceful_timeout?: string,
  { service = '10s', sigterm = '12s', grace = '30s', horizon = '40s' } = {},
): RunResult =>
  run(
    {
      warmup: '0s',
      horizon,
      clients: pacedConnects(1, { think_time: 'const(0s)', request_timeout: '60s' }),
      app: {
        workers: 32,
        service_time: `const(${service})`,
        accept_model: 'worker_per_connection',
        keepalive_timeout: '2s',
        graceful_shutdown: true,
        sigterm_keepalive,
        shutdown_grace: grace,
        ...(graceful_timeout === undefined ? {} : { graceful_timeout }),
      },
      lb: { mode: 'nat' },
      backends: [{ name: 'vm-a', proxy: 'none' }],
      timeline: [{ at: sigterm, do: 'terminate', backend: 'vm-a', mode: 'graceful' }],
    } as never,
    1,
  );

describe("app.graceful_timeout: gunicorn's arbiter SIGKILLs its workers graceful_timeout after the SIGTERM", () => {
  for (const value of ['gunicorn', 'gunicorn-23', 'gunicorn-20'])
    it(`${value}: graceful_timeout 3s cuts the requests in hand at 15 s; the default (30 s) lets them finish`, () => {
      const cut = drain(value, '3s');
      // In hand at 12 s: the connects of 3-12 s (answers due 13-22 s). Those due by 15 s are answered.
      expect(between(cut, 'responses_2xx', 12, 15)).toBe(3);
      expect(between(cut, 'responses_2xx', 15.01, 40)).toBe(0);
      // The kill says so in events.log and explain (mut30's audit: it wrote no record before).
      const [killed, ...more] = recordsOf(cut, 'app.arbiter_killed');
      expect(more).toEqual([]);
      expect(killed).toMatchObject({ t: 15, backend: 'vm-a', gracefulTimeout: 3, wsSessions: 0 });
      expect(killed!.inFlight).toBeGreaterThan(0);
      expect(recordsOf(drain(value), 'app.arbiter_killed')).toEqual([]);
      const whole = drain(value);
      // gunicorn-20 serves one more: the connect at 13 s wakes its worker (answered at 23 s);
      // gunicorn-23 (21.0+) only registers it with the poller it closes: reset, not served.
      expect(between(whole, 'responses_2xx', 15.01, 40)).toBe(value === 'gunicorn-20' ? 8 : 7);
    });

  for (const value of ['gunicorn', 'gunicorn-23', 'gunicorn-20'])
    it(`${value}: unset, the arbiter's kill comes 30 s after the SIGTERM (GracefulTimeout default) when shutdown_grace is longer`, () => {
      // 40-s requests, SIGTERM at 42 s, shutdown_grace 60 s: in hand the connects of 3-42 s (answers
      // due 43-82 s). gunicorn/config.py GracefulTimeout `default = 30`: the kill at 72 s cuts the
      // ten due after it; only shutdown_grace's kill (102 s) would let them all finish.
      const long = { service: '40s', sigterm: '42s', grace: '60s', horizon: '110s' };
      const r = drain(value, undefined, long);
      expect(between(r, 'responses_2xx', 42, 72)).toBe(30);
      expect(between(r, 'responses_2xx', 72.01, 110)).toBe(0);
      // graceful_timeout 50s: the kill at 92 s; those due by then are answered (gunicorn-20 has its
      // waking connect of 43 s in hand too, due 83 s).
      const later = drain(value, '50s', long);
      expect(between(later, 'responses_2xx', 72.01, 110)).toBe(value === 'gunicorn-20' ? 11 : 10);
    });

  it("a new version serving before the old one's graceful_timeout runs out is not killed by it (the kill is the old process's)", () => {
    // A rolling deploy of vm-a (drained behind HAProxy, SIGTERM at 20 s, the new version at 25 s): the old
    // gunicorn exits once idle, and its arbiter's SIGKILL 30 s after the SIGTERM (GracefulTimeout's
    // default; shutdown_grace 40 s) was for its own workers — arbiter.py Arbiter.stop() kills
    // self.WORKERS, the new version is another arbiter. Killing the new app then would fail every
    // request on it from then on.
    for (const value of ['gunicorn', 'gunicorn-23', 'gunicorn-20']) {
      const r = run(
        {
          warmup: '0s',
          horizon: '60s',
          clients: { rtt: '1ms', requests: { rate: 20, timeout: '60s', retries: 0 } },
          app: {
            workers: 64,
            service_time: 'const(100ms)',
            graceful_shutdown: true,
            shutdown_grace: '40s',
            sigterm_keepalive: value,
          },
          lb: { mode: 'l7' },
          backends: [
            { name: 'vm-a', proxy: 'none' },
            { name: 'vm-b', proxy: 'none' },
          ],
          timeline: [{ at: '10s', do: 'rolling_deploy', backends: ['vm-a'], restart_time: '5s' }],
        } as never,
        1,
      );
      // SIGTERM at 20 s (drained), the new version serving from 25 s: a kill at 50 s would fail the
      // requests HAProxy sends it until its check marks it down (68 errors).
      expect(r.figures['errors.total'] ?? 0, value).toBe(0);
    }
  });
});
