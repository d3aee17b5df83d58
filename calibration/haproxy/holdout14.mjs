// Held-out HAProxy runs, round 14 (session 22, hold14): runs where a rule queue22 modelled, and no
// recording has tested, decides a figure (the old model's figure differs):
// - 06acadd: `retry-on conn-failure empty-response` retries a request that `on-marked-down
//   shutdown-sessions` shut while it waited for its response (http_wait_for_response() case 4,
//   src/http_ana.c: do_l7_retry() before the 502 / abort paths) — with `option redispatch` to another
//   server at once, without it back to the DOWN server (answered after its SIGCONT);
// - 458f738: roundrobin is not asked while streams wait in the backend queue (assign_server(),
//   src/backend.c: SRV_STATUS_FULL when be->queue.length): a server set `ready` from drain under a
//   queue that never empties takes no stream;
// - 3866c11: a server leaving maint takes the backend queue at once (srv_update_status(),
//   src/server.c: pendconn_grab_from_px()) without slowstart.
// Each twin (calibration/scenarios/haproxy-holdout14-*.yaml) and its prediction
// (calibration/data/holdout14-predictions.json, a table over HAProxy's start before t0, `lb.uptime`)
// were committed before the run was recorded; the comparison is test/calibration/holdout14.test.ts.
import { heldOut, hungShutdownRun, LOG_CHECKS, stateThenReady, THREE_SERVERS } from './holdout-common.mjs';

const RETRY_EMPTY = 'retry-on conn-failure empty-response';

/**
 * Round 12's hang run (three roundrobin servers, `on-marked-down shutdown-sessions`, `inter 1500ms
 * fall 2 rise 2`, 60 req/s over 12 kept-alive connections, SIGSTOP s1 at 4.008 s) with `retry-on
 * conn-failure empty-response` and `option redispatch`: the ~106 requests waiting on s1 at its DOWN
 * are retried on s2 / s3 and answered, not closed. SIGCONT at 12 s.
 */
const hangRetryRedispatch = hungShutdownRun({
  name: 'haproxy-holdout14-hang-shutdown-retryempty-redispatch-3srv-http',
  settings: [`\`${RETRY_EMPTY}\``, '`option redispatch`'],
  redispatch: true,
  seconds: 18,
  backendLines: [RETRY_EMPTY],
  contAt: 12,
  what: 'what the requests waiting on s1 get at its DOWN (retried on s2/s3), DOWN, UP.',
});

/**
 * The same without `option redispatch`, SIGCONT at 10 s (inside the client's 8-s timeout for the
 * requests sent after 2 s): the shut requests are retried on s1 itself (stream_choose_redispatch():
 * no redispatch, back to SC_ST_ASS), its kernel accepts, and they are answered after the SIGCONT.
 */
const hangRetrySame = hungShutdownRun({
  name: 'haproxy-holdout14-hang-shutdown-retryempty-noredispatch-3srv-http',
  settings: [`\`${RETRY_EMPTY}\``, 'no redispatch'],
  seconds: 16,
  backendLines: [RETRY_EMPTY],
  contAt: 10,
  what: 'the requests shut at the DOWN, retried on s1, answered after the SIGCONT.',
});

/**
 * Three roundrobin servers, `maxconn 4`, `timeout queue 1s`, 50 req/s of GET /slow/200 (capacity 60
 * on three, 40 on two) over 12 kept-alive connections; `set server be/s3 state drain` at 3.006 s
 * (a backend queue builds and never empties: the excess times out at 1 s), `state ready` at 8.006
 * s. Leaving drain grabs nothing (srv_update_status()), s3 has no stream to free a slot
 * (process_srv_queue()), and assign_server() returns FULL while the queue waits: s3 stays idle.
 */
const drainReadyQueue = heldOut({
  name: 'haproxy-holdout14-rr-drain-ready-queue-maxconn4-tq1s-3srv-http',
  description:
    'mode http, 3 servers roundrobin, `maxconn 4` each, `timeout queue 1s`: 50 req/s of 200-ms requests (GET /slow/200) ' +
    'over 12 keep-alive connections; drain s3 at 3.006 s, ready at 8.006 s under a backend queue that never empties: ' +
    'what s3 answers after ready, the queue timeouts.',
  mode: 'http',
  seconds: 14,
  servers: THREE_SERVERS,
  serverOptions: 'maxconn 4',
  backendLines: ['timeout queue 1s', LOG_CHECKS],
  requests: { rate: 50, connections: 12, path: '/slow/200' },
  actions: stateThenReady('s3', 'drain', 3.006, 8.006),
});

/**
 * Three roundrobin servers, `maxconn 8`, `timeout queue 3s`, 20 req/s of GET /slow/1000 (capacity 24
 * on three, 16 on two) over 24 kept-alive connections; `set server be/s3 state maint` at 3.006 s (a
 * backend queue builds by ~4 a second), `state ready` at 8.006 s: s3 takes 8 queued streams at once
 * (pendconn_grab_from_px(), no slowstart), answered a second later.
 */
const maintReadyQueue = heldOut({
  name: 'haproxy-holdout14-rr-maint-ready-queue-maxconn8-slow1000-3srv-http',
  description:
    'mode http, 3 servers roundrobin, `maxconn 8` each, `timeout queue 3s`: 20 req/s of 1-s requests (GET /slow/1000) ' +
    'over 24 keep-alive connections; maint s3 at 3.006 s, ready at 8.006 s under the backend queue built meanwhile: ' +
    'how many queued streams s3 takes at once, the longest wait.',
  mode: 'http',
  seconds: 14,
  servers: THREE_SERVERS,
  serverOptions: 'maxconn 8',
  backendLines: ['timeout queue 3s', LOG_CHECKS],
  requests: { rate: 20, connections: 24, path: '/slow/1000' },
  actions: stateThenReady('s3', 'maint', 3.006, 8.006),
});

export const HOLDOUT14_EXPERIMENTS = [hangRetryRedispatch, hangRetrySame, drainReadyQueue, maintReadyQueue];
