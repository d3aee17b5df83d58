// Held-out nginx experiments, round 7 (session 20, hold7): the harness's keep-alive race and
// reload-under-keep-alive experiments with values no recording had — keepalive_timeout 4s with
// clients thinking 50 ms under and over it, and a reload with worker_processes 3 and
// keepalive_timeout 6s. Each twin (calibration/scenarios/nginx-holdout7-*.yaml) and its prediction
// (calibration/data/holdout7-predictions.json) were committed before the run was recorded; the
// comparison is test/calibration/holdout7.test.ts. Bounded like the earlier rounds: ≤ 30 s each.
import { keepaliveRaceExperiment, reloadKeepaliveExperiment } from './experiments.mjs';

export const HOLDOUT7_EXPERIMENTS = [
  // keepalive_timeout 4s: 30 connections thinking 3,950 ms (served on their connection) and 20
  // thinking 4,050 ms (nginx's FIN first, ngx_http_set_keepalive's timer), off the exact tie.
  keepaliveRaceExperiment(
    26,
    4,
    [
      ['below', 30, 3950],
      ['above', 20, 4050],
    ],
    'nginx-holdout7-keepalive-kt4-pm50',
  ),
  // nginx -s reload at 7 s, worker_processes 3, keepalive_timeout 6s: 80 idle keep-alive
  // connections opened 25 ms apart (0–2 s) — those answered more than 6 s before the old workers'
  // QUIT are closed by their timer, the rest at the QUIT (ngx_close_idle_connections) — and 24 busy
  // ones (GET /slow 200 ms, think 150 ms).
  reloadKeepaliveExperiment({
    name: 'nginx-holdout7-reload-w3-ka6',
    seconds: 14,
    reloadAtMs: 7000,
    keepaliveTimeoutS: 6,
    idleConns: 80,
    idleStaggerMs: 25,
    busyConns: 24,
    busyStaggerMs: 20,
    busyThinkMs: 150,
    slowMs: 200,
    workers: 3,
  }),
];
