// Held-out HAProxy run, round 25 (session 31, hold25), second batch: 74c2193b's rule (maintpool28
// follow-up) that a health-check DOWN keeps an http-mode server's idle server connections — HAProxy
// 2.6 src/check.c check_notify_failure() → src/server.c srv_set_stopped() → srv_update_status(),
// whose DOWN branch calls set_server_status_down, srv_shutdown_streams (only under on-marked-down
// shutdown-sessions) and pendconn_redistribute, and no srv_cleanup_connections(): v2.6.0 calls that
// only from the maint branch of a server "still running" (server.c:5361), an address or port change
// (:3403) and `set server … ssl` (:4303). So a server already DOWN that then enters maint ("was DOWN
// and now enters maintenance") keeps them too. The plausible alternative: a DOWN (or any maint)
// closes the pool as the running server's maint does (f2ee716b).
//
// mode http, 2 servers roundrobin, `http-reuse safe` (HAProxy's default, written out), `inter 500ms
// fall 2 rise 2` on top of config.mjs's default-server; 40 req/s paced of GET /slow/200 over 12
// kept-alive client connections for 2.5 s, then none (round 23's second batch's load): each server
// keeps ≈ 4-5 idle connections from ≈ 2.7 s. s1's /health answers 404 from 2.75 s (worker.mjs
// SIGUSR2): two failed checks 500 ms apart mark it DOWN by ≈ 3.75 s. `set server be/s1 state maint`
// at 5.506 s (s1 already DOWN). Read off `show stat` every 250 ms (idle_conn_cur + safe_conn_cur,
// status) and `ss -tan` every second (config.sockets: `back:s1` ESTAB, HAProxy's connections to s1).
// Twin calibration/scenarios/haproxy-holdout25b-down-keeps-idle-pool-reuse-safe-2srv-http.yaml,
// predictions calibration/data/holdout25b-predictions.json (and the alternative's) committed before
// the run was recorded; the comparison is test/calibration/holdout25.test.ts.
//
//   flock /work/wt/calib.lock node calibration/run.mjs --only haproxy-holdout25b --parallel 1 --rt 10
import { heldOut, LOG_CHECKS } from './holdout-common.mjs';

const downPool = heldOut({
  name: 'haproxy-holdout25b-down-keeps-idle-pool-reuse-safe-2srv-http',
  description:
    'mode http, 2 servers roundrobin, `http-reuse safe`, checks inter 500ms fall 2 rise 2: 40 req/s of 200-ms ' +
    'requests (GET /slow/200) over 12 keep-alive connections for 2.5 s, then none; s1’s /health answers 404 from ' +
    '2.75 s (DOWN by ≈ 3.75 s); `set server be/s1 state maint` at 5.506 s: what s1 keeps in its idle server ' +
    'connection lists (show stat, ss) after the DOWN and after the maint.',
  mode: 'http',
  seconds: 8,
  serverOptions: 'inter 500ms fall 2 rise 2',
  backendLines: ['http-reuse safe', LOG_CHECKS],
  requests: { rate: 40, connections: 12, path: '/slow/200', seconds: 2.5 },
  sockets: true,
  actions: [
    { at: 2.75, op: 'health404', server: 's1' },
    { at: 5.506, op: 'cmd', command: 'set server be/s1 state maint' },
  ],
});

export const HOLDOUT25_EXPERIMENTS = [downPool];
