// HAProxy's health-check drain (session 23, hc404): `option httpchk GET /health` with `http-check
// disable-on-404`. s1's /health answers 404 from 4 s (worker.mjs: SIGUSR2, an operator's
// maintenance file): HAProxy 2.6 takes s1 to NOLB at the first check that reads it (v2.6.0
// src/tcpcheck.c: HCHK_STATUS_L7OKCD; src/check.c check_notify_stopping() → src/server.c
// srv_set_stopping()), no `fall` count, and keeps the connections s1 already carries. mode tcp so
// that a client connection is pinned to its server: what s1 still serves after the NOLB is what
// its established connections send. The twin (calibration/scenarios/haproxy-hc404-tcp.yaml) was
// written from this file and worker.mjs before the run was recorded; the comparison is
// test/calibration/haproxy-hc404.test.ts.
import { LOG_CHECKS } from './holdout-common.mjs';

export const HC404_EXPERIMENTS = [
  {
    name: 'haproxy-hc404-tcp',
    description:
      'mode tcp, `option httpchk GET /health` + `http-check disable-on-404`, `option log-health-checks`: ' +
      '60 req/s over 20 keep-alive connections whose lifetimes are exponential (mean 5 s; the client closes ' +
      "and reopens); s1's /health answers 404 from 4 s (a maintenance file): when s1 goes NOLB and takes its " +
      'last new connection (the next check, not after fall 3), and what its connections already open still get.',
    mode: 'tcp',
    redispatch: false,
    seconds: 20,
    seed: 23,
    requests: { rate: 60, connections: 20, meanLifetimeS: 5 },
    backendLines: ['http-check disable-on-404', LOG_CHECKS],
    actions: [{ at: 4, op: 'health404', server: 's1' }],
    keepRequests: true,
    keepLogs: true,
  },
];
