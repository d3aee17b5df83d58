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
import { between, run } from '../helpers.js';

/** One bare app behind a NAT: a 10-s request per new connection every 1 s; SIGTERM at 12 s (10 in hand). */
const drain = (sigterm_keepalive: string, graceful_timeout?: string): RunResult =>
  run(
    {
      warmup: '0s',
      horizon: '40s',
      clients: {
        rtt: '1ms',
        http: {
          arrival_rate: 1,
          arrivals: 'paced',
          requests_per_connection: 'const(1)',
          think_time: 'const(0s)',
          request_timeout: '60s',
          retries: 0,
        },
      },
      app: {
        workers: 32,
        service_time: 'const(10s)',
        accept_model: 'worker_per_connection',
        keepalive_timeout: '2s',
        graceful_shutdown: true,
        sigterm_keepalive,
        shutdown_grace: '30s',
        ...(graceful_timeout === undefined ? {} : { graceful_timeout }),
      },
      lb: { mode: 'nat' },
      backends: [{ name: 'vm-a', proxy: 'none' }],
      timeline: [{ at: '12s', do: 'terminate', backend: 'vm-a', mode: 'graceful' }],
    } as never,
    1,
  );

describe("app.graceful_timeout: gunicorn's arbiter SIGKILLs its workers graceful_timeout after the SIGTERM", () => {
  for (const value of ['gunicorn', 'gunicorn-23'])
    it(`${value}: graceful_timeout 3s cuts the requests in hand at 15 s; the default (30 s) lets them finish`, () => {
      const cut = drain(value, '3s');
      // In hand at 12 s: the connects of 3-12 s (answers due 13-22 s). Those due by 15 s are answered.
      expect(between(cut, 'responses_2xx', 12, 15)).toBe(3);
      expect(between(cut, 'responses_2xx', 15.01, 40)).toBe(0);
      const whole = drain(value);
      // gunicorn-23 serves one more: the connect at 13 s wakes its worker (answered at 23 s).
      expect(between(whole, 'responses_2xx', 15.01, 40)).toBe(value === 'gunicorn' ? 7 : 8);
    });
});
