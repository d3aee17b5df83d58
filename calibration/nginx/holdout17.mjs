// Held-out nginx run, round 17 (session 25, hold17): session 24's rule that nginx 1.22.1 closes an
// idle cached upstream connection by its own timer (195730d): ngx_http_upstream_free_keepalive_peer
// arms `ngx_add_timer(c->read, kp->conf->timeout)` on each connection it caches, and
// ngx_http_upstream_keepalive_close_handler closes it when the timer fires
// (src/http/modules/ngx_http_upstream_keepalive_module.c), whether or not another request comes.
// The model before it (195730d^) closed an expired entry only when the next request looked into
// the cache (proxy/upstream.ts takeCached): with the traffic stopped, never.
//
// One upstream block `keepalive 8; keepalive_timeout 2s` shared by 8 keep-alive clients (GET
// /pool0/slow 500 ms, think 3 s, opened 5 ms apart: 8 requests in flight together, 8 upstream
// connections, cached after their answers), until 12 s (4 rounds); node never closes an idle
// connection first (keepAliveTimeout 60 s: 61 s with node 20) and logs each close with its idle
// time (backend.mjs up-idle-close). Twin calibration/scenarios/nginx-holdout17-upstream-ka8-t2s-think3s.yaml,
// prediction calibration/data/holdout17-predictions.json, committed before the recording.
//
//   flock /work/wt/calib.lock node calibration/nginx/run.mjs --only nginx-holdout17 --rt 10
import { upstreamPoolsExperiment } from './holdout3-experiments.mjs';

export const HOLDOUT17_EXPERIMENTS = [
  upstreamPoolsExperiment({
    name: 'nginx-holdout17-upstream-ka8-t2s-think3s',
    description:
      'upstream keepalive 8, keepalive_timeout 2s; node keepAliveTimeout 60000 (never closes first here); 8 ' +
      'client connections sharing the block (GET /slow 500 ms, think 3000 ms) until 12 s: when nginx closes ' +
      'each cached connection (its idle time at the app), the upstream connections opened, what is closed ' +
      'after the clients stop.',
    seconds: 16,
    backendKeepAliveMs: 60_000,
    keepalive: 8,
    timeout: '2s',
    groups: [['slow', 'GET', 8, 3000, true, 500]],
  }),
];

/**
 * Second batch (17B, predicted after the first batch was recorded): d563237's nginx.stop_timeout.
 * Debian 12's nginx.service stops nginx with `start-stop-daemon --retry QUIT/5` and, when that gives
 * up, systemd's SIGTERM to the master (TimeoutStopSec=5, KillMode=mixed): nginx's fast shutdown 5 s
 * after its QUIT. systemd is not in the namespace: the harness sends the two signals itself on that
 * schedule (`nginx -s quit` at 1 s, `nginx -s stop` — SIGTERM to the master — at 6 s). 8 keep-alive
 * clients (opened 5 ms apart) each send one GET /slow?ms=8000 (plain proxy_pass, no upstream
 * keepalive) at ≈ 0 s and nothing else: at the QUIT all 8 are in flight; the QUIT lets them run (they
 * would end at 8 s), the SIGTERM cuts them at 6 s.
 */
export const HOLDOUT17B_EXPERIMENTS = [
  {
    name: 'nginx-holdout17b-service-stop-slow8s',
    description:
      "Debian's nginx.service stop as start-stop-daemon --retry QUIT/5 and systemd schedule it (the harness sends " +
      'them: nginx -s quit at 1 s, nginx -s stop at 6 s); 8 keep-alive clients each with one GET /slow 8000 ms in ' +
      'flight from ≈ 0 s: which are answered, which are cut and when.',
    seconds: 12,
    nginx: { keepaliveTimeout: '75s' },
    client: {
      endMs: 11_000,
      groups: [
        {
          kind: 'loop',
          group: 'slow',
          conns: 8,
          thinkMs: null,
          path: '/slow?ms=8000',
          startMs: 0,
          staggerMs: 5,
          // No connection is opened (nor replaced) after 0.5 s: only the 8 requests sent at ≈ 0 s.
          stopMs: 500,
        },
      ],
    },
    actions: [
      { atMs: 1000, signal: 'quit' },
      { atMs: 6000, signal: 'stop' },
    ],
    summarise: (data) => {
      const quitS = data.actions[0]?.s ?? 1;
      const reqs = data.clientEvents.filter((e) => e.ev === 'req' && e.out !== 'client-closed');
      const outcomes = {};
      for (const e of reqs) {
        const k = e.out === 'ok' ? String(e.status) : e.out;
        outcomes[k] = (outcomes[k] ?? 0) + 1;
      }
      return {
        quitS,
        stopS: data.actions[1]?.s ?? null,
        requests: reqs.length,
        outcomes,
        endedAfterQuitS: reqs.map((e) => Math.round((e.s - quitS) * 1000) / 1000),
        masterExitedS: data.masterExitedS ?? null,
      };
    },
  },
];
