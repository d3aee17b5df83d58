/**
 * `app.worker_timeout` (gunicorn's `--timeout`, 30 s by default: gunicorn/config.py Timeout):
 * the arbiter kills a worker silent for longer (arbiter.py murder_workers(): SIGABRT), checking
 * once a second. A sync worker (`keepalive: close`) notifies only between requests
 * (workers/sync.py run_for_one), so a request held longer is cut with no response; a gthread
 * worker notifies from its main loop (workers/gthread.py ThreadWorker.run()) and is never cut;
 * SIGTERMed, the arbiter murders no worker (Arbiter.stop()). Regime: one bare app behind a NAT,
 * a connection at 0 s (and one at 1 s), each request `service` long.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import { recordsOf } from '../../trace/records-of.js';
import { between, pacedConnects, run } from '../helpers.js';

interface Opts {
  service?: string;
  app?: Record<string, unknown>;
  proxy?: 'none' | 'nginx';
  timeline?: unknown[];
  horizon?: string;
  connects?: 1 | 2;
  nginx?: Record<string, unknown>;
  /** Connections a second (paced) and when they stop (default: 1, after 1 or 2 connections). */
  rate?: number;
  until?: string;
}

const gunicorn = ({
  service = '40s',
  app = {},
  proxy = 'none',
  timeline = [],
  horizon = '60s',
  connects = 1,
  nginx,
  rate = 1,
  until,
}: Opts = {}): RunResult =>
  run(
    {
      warmup: '0s',
      horizon,
      clients: pacedConnects(rate, { think_time: 'const(0s)', request_timeout: '120s' }),
      app: {
        workers: 4,
        service_time: `const(${service})`,
        accept_model: 'worker_per_connection',
        keepalive: 'close',
        sigterm_keepalive: 'gunicorn-20',
        startup_time: '1s',
        ...app,
      },
      ...(proxy === 'none' ? { lb: { mode: 'nat' } } : {}),
      ...(nginx === undefined ? {} : { nginx }),
      backends: [{ name: 'vm-a', proxy }],
      timeline: [{ at: until ?? (connects === 1 ? '0.5s' : '1.5s'), do: 'load', http_rate: 0 }, ...timeline],
    } as never,
    1,
  );

describe("app.worker_timeout: gunicorn's arbiter kills a sync worker silent past it", () => {
  it('unset on a sync worker: 30 s — a 40-s request is cut at the first check after 30 s, a 29-s one served', () => {
    const cut = gunicorn();
    const [killed, ...more] = recordsOf(cut, 'app.worker_timeout');
    expect(more).toEqual([]);
    // Checks at 0.05 + k s (the arbiter's post-spawn sleep, its mean): the first past 30 s of silence.
    expect(killed).toMatchObject({ t: 30.05, backend: 'vm-a', timeout: 30, boot: 1, bare: true });
    expect(between(cut, 'closed_fin', 30, 31)).toBe(1);
    expect(between(cut, 'responses_2xx', 0, 60)).toBe(0);
    expect(between(cut, 'requests_failed', 30, 31)).toBe(1);
    const served = gunicorn({ service: '29s' });
    expect(recordsOf(served, 'app.worker_timeout')).toEqual([]);
    expect(between(served, 'responses_2xx', 29, 30)).toBe(1);
  });

  it('worker_timeout 0 is off; a gthread worker (keepalive: keep) is never cut', () => {
    for (const app of [
      { worker_timeout: '0s' },
      { keepalive: 'keep', keepalive_timeout: '2s', worker_timeout: '3s' },
    ]) {
      const r = gunicorn({ app });
      expect(recordsOf(r, 'app.worker_timeout')).toEqual([]);
      expect(between(r, 'responses_2xx', 40, 41)).toBe(1);
    }
  });

  it('behind nginx the cut request is a 502', () => {
    const r = gunicorn({ proxy: 'nginx', app: { worker_timeout: '5s' } });
    expect(recordsOf(r, 'app.worker_timeout').map((k) => k.t)).toEqual([5.05]);
    expect(between(r, 'responses_5xx', 5, 6)).toBe(1);
    expect(between(r, 'responses_2xx', 0, 60)).toBe(0);
  });

  it('the replacement boots for startup_time, its place taken: the queued request starts after it', () => {
    // One worker: the 1-s connect waits in the accept queue until the replacement of the worker
    // cut at 3.05 s has booted (2 s): silent from 5.05 s, cut at the first check past 8.05 s —
    // the checks count from the exit that woke the arbiter: 3.05 + 0.05 + k.
    const r = gunicorn({
      service: '10s',
      connects: 2,
      app: { workers: 1, worker_timeout: '3s', startup_time: '2s' },
    });
    expect(recordsOf(r, 'app.worker_timeout').map((k) => k.t)).toEqual([3.05, 8.1]);
    expect(between(r, 'responses_2xx', 0, 60)).toBe(0);
  });

  it('a connection arriving while the replacement boots waits for it too', () => {
    // One worker cut at 3.05 s, its replacement booting 2 s; the next connection comes at 4 s,
    // during the boot: it starts at 5.05 s, not at 4 s, and is cut at 8.1 s (checks 3.1 + k).
    const r = gunicorn({
      service: '10s',
      rate: 0.25,
      until: '4.5s',
      app: { workers: 1, worker_timeout: '3s', startup_time: '2s' },
    });
    expect(recordsOf(r, 'app.worker_timeout').map((k) => k.t)).toEqual([3.05, 8.1]);
  });

  it("the killed worker's database connection goes back to the pool", () => {
    // db_pool of 1, the database slow (5 s a query) until 2 s: the 0-s request holds the pool
    // connection and is cut at 3.05 s; the connection is the dead worker's no more (a killed
    // process's socket closes), so the requests waiting for it, and the later ones, are served.
    const r = gunicorn({
      service: '1ms',
      until: '10s',
      app: {
        worker_timeout: '3s',
        db_pool: { size: 1, connection_timeout: '5s' },
        dependency_slow_latency: 'const(5s)',
      },
      timeline: [
        { at: '0s', do: 'dependency', state: 'slow' },
        { at: '2s', do: 'dependency', state: 'up' },
      ],
    });
    expect(recordsOf(r, 'app.worker_timeout').map((k) => k.t)).toEqual([3.05]);
    expect(between(r, 'responses_2xx', 3, 11)).toBe(9);
  });

  it("a worker's exit wakes the arbiter: its checks of the other workers move with it", () => {
    // Two workers, requests from 0 and 1 s: the first cut at 3.05 s (checks at 0.05 + k); the
    // exit's SIGCHLD wakes the arbiter, which then checks at 3.1 + k: the second, silent past
    // 4 s, is cut at 4.1 s (4.05 s had the checks stayed).
    const r = gunicorn({ service: '10s', connects: 2, app: { workers: 2, worker_timeout: '3s' } });
    expect(recordsOf(r, 'app.worker_timeout').map((k) => k.t)).toEqual([3.05, 4.1]);
  });

  it('SIGTERMed, the arbiter murders no worker: the request in hand runs to its end', () => {
    const r = gunicorn({
      app: { worker_timeout: '5s', graceful_shutdown: true, graceful_timeout: '60s', shutdown_grace: '60s' },
      timeline: [{ at: '2s', do: 'terminate', backend: 'vm-a', mode: 'graceful' }],
    });
    expect(recordsOf(r, 'app.worker_timeout')).toEqual([]);
    expect(between(r, 'responses_2xx', 40, 41)).toBe(1);
  });

  it('refused where gunicorn is not said, and on an event loop (an async worker: not modelled)', () => {
    expect(() => gunicorn({ app: { sigterm_keepalive: 'keep', worker_timeout: '5s' } })).toThrow(
      /worker_timeout.*sigterm_keepalive keep/,
    );
    expect(() => gunicorn({ app: { workers: 1, accept_model: undefined, worker_timeout: '5s' } })).toThrow(
      /event loop/,
    );
    // Unset, an event loop and a non-gunicorn app have no timeout at all.
    const node = gunicorn({ app: { sigterm_keepalive: 'keep' } });
    expect(recordsOf(node, 'app.worker_timeout')).toEqual([]);
    // A bare one-worker gunicorn app is an event loop by default (accept-model.ts): not cut, its
    // 40-s request answered (mutation audit round 11: the event-loop test of workerTimeout).
    const loop = gunicorn({ app: { workers: 1, accept_model: undefined } });
    expect(recordsOf(loop, 'app.worker_timeout')).toEqual([]);
    expect(between(loop, 'responses_2xx', 40, 41)).toBe(1);
  });

  it("a worker doing the connection's TLS handshake is silent from its accept, not from the request", () => {
    // app.tls.terminates app on a sync worker (submitAfterHandshake): 2 s of handshake, the
    // request read a round trip later and served 2.5 s — 4.5 s of silence past worker_timeout
    // 4 s: cut at 4.05 s. Counted from the request (~2 s) it would be answered at ~4.5 s.
    const r = gunicorn({
      service: '2.5s',
      app: { worker_timeout: '4s', tls: { terminates: 'app', handshake_cpu: '2s' } },
    });
    expect(recordsOf(r, 'app.worker_timeout').map((k) => k.t)).toEqual([4.05]);
    expect(between(r, 'responses_2xx', 0, 60)).toBe(0);
  });

  it("nginx's read timeout orphans the request: its worker goes on, still silent, and is cut", () => {
    // proxy_read_timeout 2 s: nginx gives up (504) and the app's work goes on for nobody
    // (AppServer.orphan: a stand-in in service), its worker silent to the arbiter as before: cut
    // at 5.05 s all the same.
    const r = gunicorn({ proxy: 'nginx', app: { worker_timeout: '5s' }, nginx: { proxy_read_timeout: '2s' } });
    expect(between(r, 'responses_5xx', 2, 3)).toBe(1);
    expect(recordsOf(r, 'app.worker_timeout').map((k) => k.t)).toEqual([5.05]);
  });
});
