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
