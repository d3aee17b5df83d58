// Held-out HAProxy runs, round 12 (session 21, hold12): combinations no round recorded, each where
// several of HAProxy 2.6.12's rules meet under load —
// - per-server `maxconn` with `timeout queue` (recorded alone in round 8) and a kill -9 with
//   requests in flight and queued (never recorded together): the in-flight requests lose their
//   server connection, the dead-but-UP server's refused connects are redispatched into a full
//   backend whose capacity fell below the offered load, so the queue grows until `timeout queue`;
// - `slowstart` (recorded after a restart and after maint) with a second kill -9 DURING the ramp:
//   the ramping server's refused connects and their redispatch;
// - `balance leastconn` with `set server state drain` and back to `ready` under 500-ms requests:
//   the drained server takes no new request (weight 0), and when ready, serving none, it takes the
//   new ones until it serves as many as the others (fwlc_get_next_server(), src/lb_fwlc.c);
// - `on-marked-down shutdown-sessions` (recorded in tcp mode only, never held out) in http mode on a
//   hung (SIGSTOPped) server: the requests waiting on it end when its checks mark it DOWN.
// Each twin (calibration/scenarios/haproxy-holdout12-*.yaml) and its prediction
// (calibration/data/holdout12-predictions.json, a table over HAProxy's start before t0, `lb.uptime`)
// were committed before the run was recorded; the comparison is test/calibration/holdout12.test.ts.
import {
  heldOut,
  hungShutdownRun,
  killThenRestart,
  LOG_CHECKS,
  stateThenReady,
  THREE_SERVERS,
} from './holdout-common.mjs';

/**
 * Three roundrobin servers, `maxconn 4` each, `timeout queue 1s`, `option redispatch`, `inter
 * 1500ms fall 2 rise 2`; 50 req/s of GET /slow/200 (capacity 3 x 4 / 0.2 s = 60 req/s) over 12
 * kept-alive connections (more opened when all are busy); kill -9 s2 at 5.008 s (half a request
 * period off the grid), restart at 11 s. After the kill the capacity is 40 req/s: the backend queue
 * grows by ~10 req/s until its head waits 1 s, then the excess gets 503 (process_srv_queue(),
 * pendconn_process_next_strm(), src/queue.c; the queue timeout, back_handle_st_que... stream
 * SC_ST_QUE expiry, src/backend.c), until s2 is UP again.
 */
const queueKill = heldOut({
  name: 'haproxy-holdout12-queue-maxconn4-tq1s-kill-3srv-http',
  description:
    'mode http, 3 servers roundrobin, `maxconn 4` each, `timeout queue 1s`, `option redispatch`, `inter 1500ms fall 2 ' +
    'rise 2`: 50 req/s of 200-ms requests (GET /slow/200) over 12 keep-alive connections; kill -9 s2 at 5.008 s, ' +
    'restart at 11 s: errors (in flight on s2, then 503 at the queue timeout), retried streams, longest wait, DOWN and UP.',
  mode: 'http',
  redispatch: true,
  seconds: 18,
  servers: THREE_SERVERS,
  serverOptions: 'maxconn 4 inter 1500ms fall 2 rise 2',
  backendLines: ['timeout queue 1s', LOG_CHECKS],
  requests: { rate: 50, connections: 12, path: '/slow/200' },
  actions: killThenRestart('s2', 5.008, 11),
});

/**
 * Three roundrobin servers, `slowstart 6s`, `option redispatch`, `inter 1500ms fall 2 rise 2`; 90
 * req/s over 18 kept-alive connections; kill -9 s3 at 3 s, restart at 7 s, kill -9 s3 again at
 * 11.006 s — inside its ramp (UP ≈ 8.5-10 s, full weight 6 s later) — so its few requests meet a
 * refused connect and are redispatched at once (not a hash: stream_choose_redispatch()) until s3 is
 * DOWN again.
 */
const slowstartRampKill = heldOut({
  name: 'haproxy-holdout12-slowstart6-rampkill-3srv-http',
  description:
    'mode http, 3 servers roundrobin, `slowstart 6s`, `option redispatch`, `inter 1500ms fall 2 rise 2`: 90 req/s over ' +
    '18 keep-alive connections; kill -9 s3 at 3 s, restart at 7 s, kill -9 s3 again at 11.006 s in its ramp: what ' +
    's3 answers in the ramp, refused connects and redispatches after the second kill, DOWN, UP, DOWN.',
  mode: 'http',
  redispatch: true,
  seconds: 16,
  servers: THREE_SERVERS,
  serverOptions: 'slowstart 6s inter 1500ms fall 2 rise 2',
  backendLines: [LOG_CHECKS],
  requests: { rate: 90, connections: 18 },
  actions: [
    { at: 3, op: 'kill', server: 's3' },
    { at: 7, op: 'restart', server: 's3' },
    { at: 11.006, op: 'kill', server: 's3' },
  ],
});

/**
 * `balance leastconn`, three servers, 60 req/s of GET /slow/500 over 48 kept-alive connections;
 * `set server be/s2 state drain` at 5.008 s and `state ready` at 10.008 s.
 */
const leastconnDrain = heldOut({
  name: 'haproxy-holdout12-leastconn-drain-ready-slow500-3srv-http',
  description:
    'mode http, `balance leastconn`, 3 servers: 60 req/s of 500-ms requests (GET /slow/500) over 48 keep-alive ' +
    'connections; drain s2 at 5.008 s, ready at 10.008 s: what s2 answers while drained and just after, errors.',
  mode: 'http',
  seconds: 16,
  servers: THREE_SERVERS,
  backendLines: ['balance leastconn', LOG_CHECKS],
  requests: { rate: 60, connections: 48, path: '/slow/500' },
  actions: stateThenReady('s2', 'drain', 5.008, 10.008),
});

/**
 * Three roundrobin servers, `on-marked-down shutdown-sessions`, `inter 1500ms fall 2 rise 2` (no
 * timeout check); 60 req/s over 12 kept-alive connections (more opened when all are busy); SIGSTOP
 * s1 at 4.008 s (its kernel still accepts), SIGCONT at 12 s. The requests roundrobin gives the hung
 * s1 wait until two checks fail, then the DOWN shuts their streams (srv_shutdown_streams(),
 * src/server.c, from srv_update_status() with SRV_SHUTDOWN... on-marked-down): errors, not a wait
 * until the SIGCONT.
 */
const hangShutdownSessions = hungShutdownRun({
  name: 'haproxy-holdout12-hang-onmarkeddown-shutdown-3srv-http',
  seconds: 18,
  contAt: 12,
  what: 'what the requests waiting on s1 get and when, DOWN, UP, what s1 answers after.',
});

/**
 * Second batch (12B: predicted after the first batch was recorded, before its own run was).
 * `slowstart 6s` with per-server `maxconn 8` and `timeout queue 2s`: three roundrobin servers, 90
 * req/s of GET /slow/200 (capacity 3 x 8 / 0.2 s = 120 req/s, 80 on two) over 18 kept-alive
 * connections; `set server be/s3 state maint` at 3.006 s (two servers: the backend queue grows by
 * ~10 req/s), `state ready` at 8.006 s. In its ramp a server's maxconn ramps too:
 * srv_dynamic_maxconn() (src/server.c) gives max(1, maxconn x elapsed whole seconds / slowstart)
 * while SRV_ST_STARTING, and the ready s3 takes the queued streams up to that
 * (pendconn_grab_from_px(), src/queue.c; process_srv_queue() as its slots free). Half a request
 * period off the pacing grid.
 */
const slowstartMaxconnQueue = heldOut({
  name: 'haproxy-holdout12b-slowstart6-maxconn8-tq2s-maint-3srv-http',
  description:
    'mode http, 3 servers roundrobin, `slowstart 6s`, `maxconn 8` each, `timeout queue 2s`: 90 req/s of 200-ms requests ' +
    '(GET /slow/200) over 18 keep-alive connections; maint s3 at 3.006 s, ready at 8.006 s: how fast the ramping s3 ' +
    'takes the queue built while it was away, the longest wait, errors.',
  mode: 'http',
  seconds: 16,
  servers: THREE_SERVERS,
  serverOptions: 'slowstart 6s maxconn 8',
  backendLines: ['timeout queue 2s', LOG_CHECKS],
  requests: { rate: 90, connections: 18, path: '/slow/200' },
  actions: stateThenReady('s3', 'maint', 3.006, 8.006),
});

export const HOLDOUT12B_EXPERIMENTS = [slowstartMaxconnQueue];

export const HOLDOUT12_EXPERIMENTS = [queueKill, slowstartRampKill, leastconnDrain, hangShutdownSessions];
