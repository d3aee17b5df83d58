// Held-out HAProxy runs, round 7 (session 20, hold7): blind predictions of what users size
// production from — a server killed under `retries 3` + `option redispatch` (roundrobin, and a
// `balance source` backend, where only the last retry redispatches), and a hung server found by
// checks with `inter` / `fastinter` / `downinter` / `fall` / `rise` values no run had. Each twin
// (calibration/scenarios/haproxy-holdout7-*.yaml) and its prediction (calibration/data/
// holdout7-predictions.json, a table over HAProxy's start before t0, `lb.uptime`, which only the
// recording's stamp states) were committed before the run was recorded; the comparison is
// test/calibration/holdout7.test.ts. `option log-health-checks` logs s1's first check before t0,
// which states that start (test/calibration/haproxy-restated.ts statedUptime()).
import { heldOut, killThenRestart, LOG_CHECKS, stopThenCont, THREE_SERVERS } from './holdout-common.mjs';

/**
 * kill -9 s2 of three roundrobin servers under `retries 3` and `option redispatch`, restart it at
 * 11 s: every stream whose turn is the dead s2 is load-balanced again at once while s2 is still UP
 * (stream_choose_redispatch(): srv_act > 1, not a hash), until the checks (inter 1500ms fall 2)
 * mark it DOWN; UP again after rise 2 answered checks.
 */
const killRedispatch = heldOut({
  name: 'haproxy-holdout7-kill-redispatch-3srv-http',
  description:
    'mode http, `retries 3`, `option redispatch`, 3 servers roundrobin, `inter 1500ms fall 2 rise 2`: 60 req/s ' +
    'over 12 keep-alive connections; kill -9 s2 at 5 s, restart at 11 s: errors, redispatched streams, DOWN and UP.',
  mode: 'http',
  redispatch: true,
  seconds: 16,
  servers: THREE_SERVERS,
  serverOptions: 'inter 1500ms fall 2 rise 2',
  backendLines: [LOG_CHECKS],
  requests: { rate: 60, connections: 12 },
  actions: killThenRestart('s2', 5, 11),
});

/**
 * The same kill behind `balance source` (map-based) from 30 client addresses: a hash, so a
 * stream of an address that maps to the dead s3 is retried on s3 (1-s turn-around after each
 * refused connect, back_handle_st_cer()) and redispatched only on the last of `retries 3`
 * (`conn_retries % retries == 0`), unless s3 is DOWN by then.
 */
const killSourceRedispatch = heldOut({
  name: 'haproxy-holdout7-kill-source-redispatch-3srv-http',
  description:
    'mode http, `balance source`, `retries 3`, `option redispatch`, 3 servers, `inter 2s fall 3 rise 2`: 60 req/s ' +
    'from 30 client addresses (one keep-alive connection each); kill -9 s3 at 5 s: errors, retried and ' +
    'redispatched streams and how long they waited, DOWN.',
  mode: 'http',
  redispatch: true,
  seconds: 16,
  servers: THREE_SERVERS,
  backendLines: ['balance source', LOG_CHECKS],
  requests: { rate: 60, connections: 30, sourceBase: '100.64.0.0' },
  actions: [{ at: 5, op: 'kill', server: 's3' }],
});

/**
 * A hung server (SIGSTOP 4.5 s → SIGCONT 13 s) under `inter 3s fastinter 1s downinter 1500ms
 * fall 3 rise 2`, no `timeout check`: the checks against s1 fail once connected and unanswered,
 * the next ones `fastinter` apart (src/server.c srv_getinter(): health in transition), DOWN after
 * 3; once DOWN, `downinter` apart, UP after 2 answered. Requests on s1 wait (no on-marked-down):
 * those sent more than 8 s before the SIGCONT time out at the client.
 */
const hangChecks = heldOut({
  name: 'haproxy-holdout7-hang-fastinter-http',
  description:
    'mode http, `inter 3s fastinter 1s downinter 1500ms fall 3 rise 2` (no timeout check): 60 req/s over 12 ' +
    'keep-alive connections; SIGSTOP s1 at 4.5 s, SIGCONT at 13 s: time to DOWN and UP, client timeouts.',
  mode: 'http',
  seconds: 20,
  serverOptions: 'inter 3s fastinter 1s downinter 1500ms fall 3 rise 2',
  backendLines: [LOG_CHECKS],
  requests: { rate: 60, connections: 12 },
  actions: stopThenCont('s1', 4.5, 13),
});

export const HOLDOUT7_EXPERIMENTS = [killRedispatch, killSourceRedispatch, hangChecks];
