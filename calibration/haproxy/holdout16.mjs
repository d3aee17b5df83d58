// Held-out HAProxy runs, round 16 (session 24, hold16): `http-check disable-on-404` (a8e458a) in
// mode http, which session 23 recorded in mode tcp only (hc404.mjs). In mode http every request is
// a stream of its own, so a NOLB server (SRV_ST_STOPPING: srv_set_stopping(), src/server.c) gets no
// new non-persistent request at once, kept-alive client connections included; cookie users keep
// reaching it (cur_state != SRV_ST_STOPPED); with `option redispatch` a refused connect to it is
// redispatched at once (stream_choose_redispatch(), include/haproxy/stream.h: cur_state <
// SRV_ST_RUNNING), not at the last retry as a running server's persistent one; the next 2xx brings
// it back UP. Each run has s1's /health answer 404 from 4.008 s (worker.mjs SIGUSR2, an operator's
// maintenance file; half a request period off the 60-req/s pacing grid, as round 14's actions).
// Each twin (calibration/scenarios/haproxy-holdout16-*.yaml) and its prediction
// (calibration/data/holdout16-predictions.json, a table over HAProxy's start before t0, `lb.uptime`)
// were committed before the run was recorded; the comparison is test/calibration/holdout16.test.ts.
import { heldOut, LOG_CHECKS, THREE_SERVERS } from './holdout-common.mjs';

const DISABLE_404 = 'http-check disable-on-404';
const BACKEND = [DISABLE_404, LOG_CHECKS];
/** s1's /health answers 404 from 4.008 s (SIGUSR2 to its server). */
const S1_404 = { at: 4.008, op: 'health404', server: 's1' };

/**
 * 60 req/s over 12 kept-alive connections, three roundrobin servers; s1's /health 404 at 4.008 s,
 * 200 again at 10.008 s (SIGHUP): NOLB at its next check, so no request at all reaches it on the
 * kept-alive connections (mode tcp: they kept flowing), UP at the first check after the 200.
 */
const keepAlive404Then200 = heldOut({
  name: 'haproxy-holdout16-404-200-keepalive-3srv-http',
  description:
    'mode http, 3 servers roundrobin, `http-check disable-on-404`: 60 req/s over 12 keep-alive connections; ' +
    "s1's /health answers 404 from 4.008 s, 200 again from 10.008 s: when s1 goes NOLB and UP, what it answers " +
    'on the kept-alive connections meanwhile and after.',
  mode: 'http',
  seconds: 16,
  servers: THREE_SERVERS,
  backendLines: BACKEND,
  requests: { rate: 60, connections: 12 },
  actions: [S1_404, { at: 10.008, op: 'health200', server: 's1' }],
});

/**
 * The 404 at 4.008 s, then s1 killed (kill -9: its listener gone, connects refused) at 8.008 s,
 * after its NOLB (≤ 6.1 s whatever the checks' phase): no request goes to it, so nothing fails with
 * or without `option redispatch`; its checks fail from full health (fall 3) to DOWN.
 */
const killAfter404 = (redispatch) =>
  heldOut({
    name: `haproxy-holdout16-404-kill-${redispatch ? 'redispatch' : 'noredispatch'}-3srv-http`,
    description:
      `mode http, 3 servers roundrobin, \`http-check disable-on-404\`, ${redispatch ? '`option redispatch`' : 'no redispatch'}: ` +
      "60 req/s over 12 keep-alive connections; s1's /health answers 404 from 4.008 s, kill -9 s1 at 8.008 s: " +
      'failed and redispatched requests, what s2 and s3 answer, s1 DOWN.',
    mode: 'http',
    redispatch,
    seconds: 16,
    servers: THREE_SERVERS,
    backendLines: BACKEND,
    requests: { rate: 60, connections: 12 },
    actions: [S1_404, { at: 8.008, op: 'kill', server: 's1' }],
  });

/**
 * Cookie persistence (`cookie SRV insert indirect nocache`), `option redispatch`, 15 users (one
 * kept-alive connection each, 5 per server at their first request) at 60 req/s: s1's users stay
 * on the NOLB s1 after the 404 at 4.008 s; s1 killed at 9.008 s: each of their next requests is
 * refused and redispatched at once (s1 STOPPING), not after two 1-s turn-arounds as a running
 * server's persistent request (round 4's kill of a cookie server), and the user takes the new
 * server's cookie.
 */
const cookieKill = heldOut({
  name: 'haproxy-holdout16-cookie-404-kill-redispatch-3srv-http',
  description:
    'mode http, 3 servers roundrobin, cookie insert, `option redispatch`, `http-check disable-on-404`: 60 req/s ' +
    "from 15 users (kept-alive connections keeping their cookie); s1's /health answers 404 from 4.008 s, kill -9 " +
    "s1 at 9.008 s: what s1's users get after the NOLB and after the kill (redispatches and their wait), errors.",
  mode: 'http',
  redispatch: true,
  cookie: true,
  seconds: 16,
  servers: THREE_SERVERS,
  backendLines: BACKEND,
  requests: { rate: 60, connections: 15 },
  actions: [S1_404, { at: 9.008, op: 'kill', server: 's1' }],
});

export const HOLDOUT16_EXPERIMENTS = [keepAlive404Then200, killAfter404(false), killAfter404(true), cookieKill];
