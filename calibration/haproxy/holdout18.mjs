// Held-out HAProxy runs, round 18 (session 25, hold18): three of session 23-24's queue rules that no
// recording has checked (each commit says its calibration rows did not move), in runs where the
// rule decides a figure (the model before it, `git archive <commit>^`, gives another):
// - 7f7ec3e: roundrobin queues a new stream behind a waiting backend queue even when no server
//   serves any stream (v2.6.0 src/backend.c assign_server(): FULL when be->queue.length &&
//   be->queue.length != be->beconn, beconn already counting the stream being assigned;
//   stream_set_backend(), src/proxy.c). HAProxy 3.1's ca275d99c adds `be->served &&`, which the
//   model had before.
// - 030467c: the last server leaving load balancing (drain or maint) leaves the backend queue to
//   `timeout queue` (v2.6.0 src/queue.c pendconn_redistribute() only takes the server's own queue;
//   process_srv_queue() dequeues nothing for a server that is not usable); 3.1's 53f52e67a empties it
//   at once, which the model had before.
// - 28e2ebc: a second `set server … state drain` of a drained server redistributes nothing (v2.6.0
//   src/server.c srv_set_admin_flag() returns at once when the flag is already set), so cookie
//   users queued on the drained, hung server stay there; the model before handed them to the
//   other server again.
// Each twin (calibration/scenarios/haproxy-holdout18-*.yaml) and its prediction
// (calibration/data/holdout18-predictions.json, with the old models' figures beside them) were
// committed before the run was recorded; the comparison is test/calibration/holdout18.test.ts.
//
//   flock /work/wt/calib.lock node calibration/run.mjs --only haproxy-holdout18 --parallel 1 --rt 10
import { heldOut, LOG_CHECKS, THREE_SERVERS } from './holdout-common.mjs';

const cmd = (at, server, state) => ({ at, op: 'cmd', command: `set server be/${server} state ${state}` });

/**
 * 7f7ec3e. Three roundrobin servers, `maxconn 2`, `timeout queue 1s`, 50 req/s of GET /slow/100
 * (capacity 20 a server) over 12 kept-alive connections. s2 drained at 1.006 s: 50/s against s1's
 * and s3's 40/s fills the backend queue. At 3.006 s s2 set ready (leaving drain grabs nothing),
 * then s1 and s3 drained (a drained server takes nothing from the backend queue): from ≈ 3.1 s no
 * server serves any stream while the queue waits, so every new stream queues behind it and times
 * out at 1 s (503 sQ); the ready s2 answers nothing.
 */
const queueNoServer = heldOut({
  name: 'haproxy-holdout18-rr-queue-noserver-maxconn2-tq1s-3srv-http',
  description:
    'mode http, 3 servers roundrobin, `maxconn 2` each, `timeout queue 1s`: 50 req/s of 100-ms requests (GET /slow/100) ' +
    'over 12 keep-alive connections; drain s2 at 1.006 s; at 3.006 s s2 ready, s1 and s3 drained, under the backend ' +
    'queue: what the ready s2 answers while no server serves any stream, the queue timeouts.',
  mode: 'http',
  seconds: 10,
  servers: THREE_SERVERS,
  serverOptions: 'maxconn 2',
  backendLines: ['timeout queue 1s', LOG_CHECKS],
  requests: { rate: 50, connections: 12, path: '/slow/100' },
  actions: [cmd(1.006, 's2', 'drain'), cmd(3.006, 's2', 'ready'), cmd(3.006, 's1', 'drain'), cmd(3.006, 's3', 'drain')],
});

/**
 * 030467c. One server, `maxconn 2`, `timeout queue 4s`, `option redispatch`, 40 req/s of GET / over
 * 12 kept-alive connections (the client opens more when all are busy); s1 SIGSTOPped at 2.008 s (its
 * kernel still accepts: two streams hang on it, the next ones wait in the backend queue), then set
 * to `state` at 4.006 s: no server is left. The queued streams stay until `timeout queue` (503 sQ
 * from ≈ 6.1 s); new ones get 503 at once (no usable server).
 */
const lastServer = (state) =>
  heldOut({
    name: `haproxy-holdout18-last-${state}-queue-tq4s-1srv-http`,
    description:
      `mode http, 1 server, \`maxconn 2\`, \`timeout queue 4s\`, \`option redispatch\`: 40 req/s over 12 keep-alive ` +
      `connections; SIGSTOP s1 at 2.008 s, \`set server be/s1 state ${state}\` at 4.006 s (the last server leaves): ` +
      'when the streams waiting in the backend queue get their 503, what new streams get.',
    mode: 'http',
    redispatch: true,
    seconds: 10,
    servers: [{ name: 's1' }],
    serverOptions: 'maxconn 2',
    backendLines: ['timeout queue 4s', LOG_CHECKS],
    requests: { rate: 40, connections: 12 },
    actions: [{ at: 2.008, op: 'stop', server: 's1' }, cmd(4.006, 's1', state)],
  });

/**
 * 28e2ebc. Two roundrobin servers, cookie insert, `option redispatch`, `maxconn 2`, `timeout queue
 * 30s`, 100 users (kept-alive connections keeping their cookie, 50 a server after their first
 * requests, 0-2.5 s) at 40 req/s of GET /. s1 drained at 3.006 s (its users stay: cookie), SIGSTOPped
 * at 4.008 s: its users' requests hang (two) or wait in s1's own queue (the others, one a user, ≈ 48
 * by 6.5 s) while the others' go on to s2; `state drain` again at 7.006 s: nothing moves (the flag
 * is already set), so s2 answers only its own users' requests after it.
 */
const drainTwice = heldOut({
  name: 'haproxy-holdout18-cookie-drain-twice-hung-2srv-http',
  description:
    'mode http, 2 servers roundrobin, cookie insert, `option redispatch`, `maxconn 2` each, `timeout queue 30s`: 40 req/s ' +
    'from 100 users (kept-alive connections keeping their cookie); drain s1 at 3.006 s, SIGSTOP s1 at 4.008 s, drain s1 ' +
    "again at 7.006 s: whether the second drain hands s1's queued users to s2.",
  mode: 'http',
  redispatch: true,
  cookie: true,
  seconds: 10,
  serverOptions: 'maxconn 2',
  backendLines: ['timeout queue 30s', LOG_CHECKS],
  requests: { rate: 40, connections: 100 },
  actions: [cmd(3.006, 's1', 'drain'), { at: 4.008, op: 'stop', server: 's1' }, cmd(7.006, 's1', 'drain')],
});

export const HOLDOUT18_EXPERIMENTS = [queueNoServer, lastServer('drain'), lastServer('maint'), drainTwice];

/**
 * Second batch (18B, predicted after the first batch was recorded): 030467c's other half, HAProxy
 * 2.6's pendconn_redistribute() returning 0 without `option redispatch` whatever the admin state, so
 * a server set to maint keeps its own queue (3.1's 1385e33eb hands it back in maint always, as the
 * model did before). Two roundrobin servers, cookie insert, `maxconn 2`, `timeout queue 30s`, 100
 * users at 40 req/s; s1 SIGSTOPped at 3.008 s (its 50 users' requests hang, two, or wait in s1's own
 * queue, ≈ 48 by 5.5 s), `state maint` at 6.006 s. Without `option redispatch` they stay queued; with
 * it (the control, the same in both models) s2 answers them at once.
 */
const maintQueued = (redispatch) =>
  heldOut({
    name: `haproxy-holdout18b-cookie-maint-hung-${redispatch ? 'redispatch' : 'noredispatch'}-2srv-http`,
    description:
      `mode http, 2 servers roundrobin, cookie insert, ${redispatch ? '`option redispatch`' : 'no redispatch'}, ` +
      '`maxconn 2` each, `timeout queue 30s`: 40 req/s from 100 users (kept-alive connections keeping their cookie); ' +
      "SIGSTOP s1 at 3.008 s, maint s1 at 6.006 s: whether the maint hands s1's queued users to s2.",
    mode: 'http',
    redispatch,
    cookie: true,
    seconds: 9,
    serverOptions: 'maxconn 2',
    backendLines: ['timeout queue 30s', LOG_CHECKS],
    requests: { rate: 40, connections: 100 },
    actions: [{ at: 3.008, op: 'stop', server: 's1' }, cmd(6.006, 's1', 'maint')],
  });

export const HOLDOUT18B_EXPERIMENTS = [maintQueued(false), maintQueued(true)];
