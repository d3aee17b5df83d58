// Held-out HAProxy run, round 23 (session 29, hold23), second batch: maintpool28 f2ee716b's rule that
// a running server entering maint closes its idle server connections at once — HAProxy 2.6
// src/server.c srv_update_status(), the "server was still running" branch of entering maint, calls
// srv_cleanup_connections(): srv_migrate_conns_to_remove(…, -1) moves every idle and safe connection
// of the server to toremove_conns and wakes the cleanup task. The model before it left them to the
// next pool-purge-delay visit (idle_conn_task) or the server's keep-alive timeout.
//
// mode http, 2 servers roundrobin, `http-reuse always`, 40 req/s paced of GET /slow/200 (answered
// 200 ms after it is read) over 12 kept-alive client connections for 2.5 s (`requests.seconds`, new
// in lab.mjs: the client stops sending then and exits 1 s later; the run goes on to 8 s): each
// server holds ≈ 4-5 requests at a time, and from ≈ 2.7 s all its server connections are idle, kept
// in its idle lists (pool-purge-delay 5 s: srv_cleanup_idle_conns() kills only what exceeds the
// connections used in the last period). `set server be/s1 state maint` at 4.006 s, nothing in
// flight. Read off `show stat` every 250 ms: each server's idle_conn_cur + safe_conn_cur (both idle
// lists; lab.mjs STAT_FIELDS has safe_conn_cur since this round).
// Twin calibration/scenarios/haproxy-holdout23b-maint-idle-pool-reuse-always-2srv-http.yaml,
// predictions calibration/data/holdout23b-predictions.json (and the old model's,
// holdout23b-old-model-predictions.json) committed before the run was recorded; the comparison is
// test/calibration/holdout23.test.ts.
//
//   flock /work/wt/calib.lock node calibration/run.mjs --only haproxy-holdout23b --parallel 1 --rt 10
import { heldOut, LOG_CHECKS } from './holdout-common.mjs';

const maintPool = heldOut({
  name: 'haproxy-holdout23b-maint-idle-pool-reuse-always-2srv-http',
  description:
    'mode http, 2 servers roundrobin, `http-reuse always`: 40 req/s of 200-ms requests (GET /slow/200) over 12 ' +
    'keep-alive connections for 2.5 s, then none; `set server be/s1 state maint` at 4.006 s: what s1 keeps in its ' +
    'idle server connection lists (show stat idle_conn_cur + safe_conn_cur) after the command.',
  mode: 'http',
  seconds: 8,
  backendLines: ['http-reuse always', LOG_CHECKS],
  requests: { rate: 40, connections: 12, path: '/slow/200', seconds: 2.5 },
  actions: [{ at: 4.006, op: 'cmd', command: 'set server be/s1 state maint' }],
});

export const HOLDOUT23_EXPERIMENTS = [maintPool];
