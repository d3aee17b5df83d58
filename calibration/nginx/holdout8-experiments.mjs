// Held-out nginx experiment, round 8 (session 20, hold8): `nginx -s quit` with an open upgraded
// tunnel under a worker_shutdown_timeout no recording had (3 s; the recorded ones: none, 5 s, and
// 1500 ms without a tunnel). The twin (calibration/scenarios/nginx-holdout8-quit-tunnel-wst3.yaml)
// and its prediction (calibration/data/holdout8-predictions.json) were committed before the run was
// recorded; the comparison is test/calibration/holdout8.test.ts. ≤ 40 s.
import { signalExperiment, upstreamRaceExperiment } from './experiments.mjs';

export const HOLDOUT8_EXPERIMENTS = [
  // Tunnel A from 0 s (client heartbeat 1 s, proxy_read_timeout 60s), quit at 3 s: the worker's
  // shutdown timer (ngx_shutdown_timer_handler, src/os/unix/ngx_process_cycle.c) closes A at
  // 3 + 3 s and the old worker, then the master, exit; tunnel B at 4 s is refused (the QUIT closed
  // the listening socket); the probe loop's connects refused from the QUIT on.
  { ...signalExperiment('quit', 3), name: 'nginx-holdout8-quit-tunnel-wst3' },
  // Second batch (its twin, nginx-holdout8-upstream-race-ka5.yaml, and prediction,
  // calibration/data/holdout8-batch2-predictions.json, committed before it was recorded): the
  // upstream keepalive race at a backend keepAliveTimeout no run had, 5 s (node closes an idle
  // connection after 6 s), clients thinking 5,950-6,045 ms: about half the cycles find their cached
  // upstream connection closed by the app and open a new one; a GET that meets the app's FIN is
  // retried on a new connection (ngx_http_upstream_next: a cached connection's failure does not
  // use up a try). 40 s.
  { ...upstreamRaceExperiment(40, 5000), name: 'nginx-holdout8-upstream-race-ka5' },
];
