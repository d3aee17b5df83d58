// Held-out nginx experiment, round 8 (session 20, hold8): `nginx -s quit` with an open upgraded
// tunnel under a worker_shutdown_timeout no recording had (3 s; the recorded ones: none, 5 s, and
// 1500 ms without a tunnel). The twin (calibration/scenarios/nginx-holdout8-quit-tunnel-wst3.yaml)
// and its prediction (calibration/data/holdout8-predictions.json) were committed before the run was
// recorded; the comparison is test/calibration/holdout8.test.ts. ≤ 20 s.
import { signalExperiment } from './experiments.mjs';

export const HOLDOUT8_EXPERIMENTS = [
  // Tunnel A from 0 s (client heartbeat 1 s, proxy_read_timeout 60s), quit at 3 s: the worker's
  // shutdown timer (ngx_shutdown_timer_handler, src/os/unix/ngx_process_cycle.c) closes A at
  // 3 + 3 s and the old worker, then the master, exit; tunnel B at 4 s is refused (the QUIT closed
  // the listening socket); the probe loop's connects refused from the QUIT on.
  { ...signalExperiment('quit', 3), name: 'nginx-holdout8-quit-tunnel-wst3' },
];
