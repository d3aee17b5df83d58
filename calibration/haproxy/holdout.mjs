// Held-out HAProxy runs (session 13, issue 13 "load balancer fidelity"): parameter combinations
// no earlier run recorded — four servers, weights, leastconn, two servers dying at once,
// `timeout check` with other inter/fall/rise, maxqueue. Each one's drainsim twin
// (calibration/scenarios/haproxy-holdout-*.yaml) was written before the run was recorded and is
// compared in test/calibration/haproxy-holdout.test.ts.
import { stopThenCont } from './holdout-common.mjs';

/** kill -9 each of `servers` at `at` s (none restarted): servers dying together. */
const killTogether = (at, servers) => servers.map((server) => ({ at, op: 'kill', server }));

/**
 * Two of four servers die at once (a rack, a zone) behind weighted round robin with `option
 * redispatch` and `retries 3`: every stream that meets a dead server is load-balanced again at
 * once (stream_choose_redispatch(): srv_act > 1, not a hash), avoiding only the server that just
 * failed — it may meet the other dead one.
 */
const kill2of4 = {
  name: 'haproxy-holdout-kill2of4-wrr-http-redispatch',
  description:
    'mode http, option redispatch, retries 3, 4 servers roundrobin weights 1/1/2/2: 60 req/s over 12 ' +
    'keep-alive connections; kill -9 s1 and s2 at 5 s: errors, retries and redispatches until both are DOWN.',
  mode: 'http',
  redispatch: true,
  keepLogs: true,
  seconds: 16,
  servers: [
    { name: 's1', options: 'weight 1' },
    { name: 's2', options: 'weight 1' },
    { name: 's3', options: 'weight 2' },
    { name: 's4', options: 'weight 2' },
  ],
  requests: { rate: 60, connections: 12 },
  actions: killTogether(5, ['s1', 's2']),
};

/**
 * A hung server with faster checks than any earlier run and `timeout check`: inter 1s fall 2
 * rise 3, timeout check 300ms (the connect gets min(inter, timeout connect), the answer 300 ms:
 * tcpcheck_eval_connect(), src/tcpcheck.c).
 */
const hangTimeoutCheck = {
  name: 'haproxy-holdout-hang-tcheck-http',
  description:
    'mode http, `inter 1s fall 2 rise 3`, `timeout check 300ms`: 60 req/s over 12 keep-alive connections; ' +
    'SIGSTOP s1 at 4 s, SIGCONT at 12 s: time to DOWN and UP, client timeouts.',
  mode: 'http',
  redispatch: false,
  keepLogs: true,
  seconds: 20,
  serverOptions: 'inter 1s fall 2 rise 3',
  backendLines: ['timeout check 300ms'],
  requests: { rate: 60, connections: 12 },
  actions: stopThenCont('s1', 4, 12),
};

/**
 * The same hang with `timeout check` longer than inter (2500ms): tells "timeout check ignored"
 * from "the check task wakes at its connect deadline and only then reads the later expiry that
 * the connected check set" (wake_srv_chk(), src/check.c, sets task->expire without requeueing).
 */
const hangLongTimeoutCheck = {
  ...hangTimeoutCheck,
  name: 'haproxy-holdout-hang-tcheck-long-http',
  description:
    'mode http, `inter 1s fall 2 rise 3`, `timeout check 2500ms`: 60 req/s over 12 keep-alive connections; ' +
    'SIGSTOP s1 at 4 s, SIGCONT at 14 s: check duration and time to DOWN.',
  seconds: 22,
  backendLines: ['timeout check 2500ms'],
  actions: stopThenCont('s1', 4, 14),
};

/**
 * leastconn with maxconn 3, maxqueue 2 and timeout queue 1500ms, 40 req/s of 150-ms requests;
 * kill -9 s1 at 6 s: the dead server's streams pause (turn-around, no redispatch) while still
 * served, so leastconn turns away from it; once it is DOWN s2 alone serves ≈ 20/s and the rest
 * queue (server queue up to maxqueue, then the backend's) and time out with 503 sQ.
 */
const queueLeastconn = {
  name: 'haproxy-holdout-queue-lc-maxqueue-http',
  description:
    'mode http, balance leastconn, maxconn 3 maxqueue 2 per server, timeout queue 1500ms; 40 req/s of ' +
    'GET /slow/150; kill -9 s1 at 6 s: 503s (SC, sQ) and responses per second until and after DOWN.',
  mode: 'http',
  redispatch: false,
  keepLogs: true,
  seconds: 18,
  serverOptions: 'maxconn 3 maxqueue 2',
  backendLines: ['balance leastconn', 'timeout queue 1500ms'],
  requests: { rate: 40, connections: 12, path: '/slow/150' },
  actions: [{ at: 6, op: 'kill', server: 's1' }],
};

/**
 * Drain half of a four-server leastconn pool in tcp mode (a node pool rotation): connections with
 * exponential lifetimes (mean 5 s); `state drain` on s1 and s2 at 6 s: no new flow on them,
 * their flows end with the clients' closes.
 */
const drain2of4 = {
  name: 'haproxy-holdout-drain2of4-lc-tcp',
  description:
    'mode tcp, balance leastconn, 4 servers: 60 req/s over 20 connections with exponential lifetimes ' +
    '(mean 5 s); `set server be/s1 state drain` and `be/s2` at 6 s: new flows per server, time to empty.',
  mode: 'tcp',
  redispatch: false,
  keepLogs: true,
  seconds: 26,
  seed: 51,
  servers: [{ name: 's1' }, { name: 's2' }, { name: 's3' }, { name: 's4' }],
  backendLines: ['balance leastconn'],
  requests: { rate: 60, connections: 20, meanLifetimeS: 5 },
  actions: [
    { at: 6, op: 'cmd', command: 'set server be/s1 state drain' },
    { at: 6, op: 'cmd', command: 'set server be/s2 state drain' },
  ],
};

/**
 * "Fail fast" with `retries 1` and `option redispatch` when two of three servers die: the one
 * retry is also the redispatch retry (the last), avoiding only the server that just failed —
 * roundrobin's next turn may be the other dead server, and then the client gets 503.
 */
const kill2of3Retries1 = {
  name: 'haproxy-holdout-kill2of3-http-retries1-redispatch',
  description:
    'mode http, `retries 1`, option redispatch, 3 servers roundrobin: 60 req/s over 12 keep-alive ' +
    'connections; kill -9 s1 and s2 at 5 s: 503s until both are DOWN.',
  mode: 'http',
  redispatch: true,
  keepLogs: true,
  seconds: 16,
  servers: [{ name: 's1' }, { name: 's2' }, { name: 's3' }],
  backendLines: ['retries 1'],
  requests: { rate: 60, connections: 12 },
  actions: killTogether(5, ['s1', 's2']),
};

/**
 * Draining a saturated server: maxconn 2 per server, 36 req/s of 100-ms requests (90 % of the 40/s
 * the 4 slots serve), timeout queue 2s, no redispatch; drain s1 at 5 s. s1 keeps serving what is
 * already its own; s2 alone serves 20/s and the rest waits in the backend queue until 503 sQ.
 */
const drainSaturated = {
  name: 'haproxy-holdout-drain-saturated-http',
  description:
    'mode http, roundrobin, `maxconn 2`, `timeout queue 2s`, 36 req/s of GET /slow/100; ' +
    '`set server be/s1 state drain` at 5 s: responses per server and 503s per second.',
  mode: 'http',
  redispatch: false,
  keepLogs: true,
  seconds: 14,
  serverOptions: 'maxconn 2',
  backendLines: ['timeout queue 2s'],
  requests: { rate: 36, connections: 12, path: '/slow/100' },
  actions: [{ at: 5, op: 'cmd', command: 'set server be/s1 state drain' }],
};

/**
 * A hung server behind `timeout server 2s` (a common guard): each request on it gets 504 after
 * 2 s (http_wait_for_response(), src/http_ana.c: read timeout, sH) until the checks (inter 2s,
 * each timing out after inter) mark it DOWN.
 */
const hangTimeoutServer = {
  name: 'haproxy-holdout-hang-tserver-http',
  description:
    'mode http, `timeout server 2s`: 60 req/s over 12 keep-alive connections; SIGSTOP s1 at 4 s, ' +
    'SIGCONT at 20 s: 504s per second, time to DOWN and UP.',
  mode: 'http',
  redispatch: false,
  keepLogs: true,
  seconds: 26,
  backendLines: ['timeout server 2s'],
  requests: { rate: 60, connections: 12 },
  actions: stopThenCont('s1', 4, 20),
};

export const HOLDOUT_EXPERIMENTS = [
  hangTimeoutServer,
  kill2of4,
  hangTimeoutCheck,
  queueLeastconn,
  drain2of4,
  hangLongTimeoutCheck,
  kill2of3Retries1,
  drainSaturated,
];
