// Held-out nginx run, round 23 (session 29, hold23), third batch: ka28 aa55f4c6's rule that an
// upstream keep-alive connection older than `keepalive_time` is not cached — nginx 1.22.1
// src/http/modules/ngx_http_upstream_keepalive_module.c ngx_http_upstream_free_keepalive_peer():
// `if (ngx_current_msec - c->start_time > kp->conf->time) goto invalid` (closed after its response;
// default 1h, ngx_conf_init_msec_value). The model before it cached such a connection whatever its age.
//
// One nginx worker, `upstream pool0 { keepalive 4; keepalive_timeout 60s; keepalive_time 2s; }`
// (nginx.mjs `pools.time`, new this round), node behind it with keepAliveTimeout 60 s (never first);
// ONE client keep-alive connection in a closed loop (GET /pool0/, answered at once, think 300 ms) from
// t0 until 8 s. Each upstream connection serves the requests at ≈ 0, 0.3, …, 2.1 s of its life (its
// age at the 8th answer ≈ 2.1 s > 2 s: closed, not cached), and the next request 300 ms later opens
// a new one: upstream connects at ≈ 0, 2.4, 4.8, 7.2 s. Before aa55f4c6: one connection for the run.
// Twin calibration/scenarios/nginx-holdout23c-upstream-ka4-time2s-think300.yaml, predictions
// calibration/data/holdout23c-predictions.json (and the old model's) committed before the run was
// recorded; the comparison is test/calibration/holdout23.test.ts.
//
//   flock /work/wt/calib.lock node calibration/nginx/run.mjs --only nginx-holdout23c --rt 10
import { upstreamPoolsExperiment } from './holdout3-experiments.mjs';

export const HOLDOUT23_EXPERIMENTS = [
  upstreamPoolsExperiment({
    name: 'nginx-holdout23c-upstream-ka4-time2s-think300',
    description:
      'upstream keepalive 4, keepalive_timeout 60s, keepalive_time 2s; node keepAliveTimeout 60000; one client ' +
      'keep-alive connection (GET /pool0/, think 300 ms) until 8 s: when nginx stops caching its upstream ' +
      'connection (its age past keepalive_time) and opens a new one.',
    seconds: 12,
    backendKeepAliveMs: 60_000,
    keepalive: 4,
    timeout: '60s',
    time: '2s',
    groups: [['ka', 'GET', 1, 300, true]],
  }),
];
