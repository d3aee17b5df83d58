// Held-out HAProxy runs, round 6 (session 17, chk17c): a blind test of the check timer tree.
// chk17b-model (a side branch) completes HAProxy 2.6.12's shared timer tree — the end-of-check
// requeue (process_chk_conn(), src/check.c), process_resolvers() every `timeout resolve` (1 s) from
// HAProxy's start (src/resolvers.c), idle_conn_task (src/server.c) and equal keys in insertion order
// (eb32_insert()) — main keeps only the check tasks. Its round-1 hang-tcheck and round-4
// gcpause-tcheck twins did slightly worse on the branch, but those recordings do not state HAProxy's
// start. These variants (other `inter`, `timeout check`, pause lengths and phases: not the fitted
// runs) are recorded with lab.mjs's stamp of HAProxy's spawn on t0's clock (stamp.haproxySpawnedT),
// so each twin can state `lb.uptime`. The twins (calibration/scenarios/haproxy-holdout6-*.yaml) and
// both models' predictions as a function of that uptime (calibration/data/haproxy-holdout6-predictions.json)
// were committed before any run was recorded; the comparison is test/calibration/haproxy-holdout6.test.ts.
import { heldOut, pauseActions } from './holdout4.mjs';

/**
 * Round 1's hang-tcheck (inter 1s, timeout check 300ms, s1 stopped 4-12 s) with a longer interval
 * and check timeout and a stop off the 1-s grid: the check tasks (1.5 s, s2's 0.75 s after s1's)
 * and the resolvers' entry (every 1 s) meet s1's stopped checks at changing phases.
 */
const hang = heldOut({
  name: 'haproxy-holdout6-hang-tcheck-http',
  description:
    'mode http, `inter 1500ms fall 3 rise 2`, `timeout check 400ms`: 60 req/s over 12 keep-alive connections; ' +
    'SIGSTOP s1 at 5.3 s, SIGCONT at 13.3 s: failed checks and their durations, time to DOWN and UP.',
  mode: 'http',
  seconds: 20,
  serverOptions: 'inter 1500ms fall 3 rise 2',
  backendLines: ['timeout check 400ms', 'option log-health-checks'],
  requests: { rate: 60, connections: 12 },
  actions: [
    { at: 5.3, op: 'stop', server: 's1' },
    { at: 13.3, op: 'cont', server: 's1' },
  ],
});

/**
 * Round 4's gcpause-tcheck (inter 500ms fastinter 200ms downinter 300ms, 1.5-s pauses every 4 s)
 * with other intervals and longer pauses every 4.5 s.
 */
const gcPause = heldOut({
  name: 'haproxy-holdout6-gcpause-tcheck-http',
  description:
    'mode http, `inter 700ms fastinter 250ms downinter 400ms fall 2 rise 2`, `timeout check 350ms`: 60 req/s ' +
    'over 12 keep-alive connections; s1 paused (SIGSTOP) 1.8 s every 4.5 s from 3.2 s: DOWN/UP times, check failures.',
  mode: 'http',
  seconds: 25,
  serverOptions: 'inter 700ms fastinter 250ms downinter 400ms fall 2 rise 2',
  backendLines: ['timeout check 350ms', 'option log-health-checks'],
  requests: { rate: 60, connections: 12 },
  actions: pauseActions('s1', [3.2, 7.7, 12.2, 16.7, 21.2], 1.8),
});

/** Round 5's 2srv (inter 1s, 2.5-s pauses every 6.25 s) with inter 1200ms, timeout check 250ms, 2.7-s pauses every 6 s. */
const twoServers = heldOut({
  name: 'haproxy-holdout6-tcheck-2srv-http',
  description:
    'mode http, 2 servers, `inter 1200ms fall 2 rise 2`, `timeout check 250ms`: 60 req/s over 12 keep-alive ' +
    'connections; s1 paused 2.7 s every 6 s from 2.7 s: in how many pauses s1 goes DOWN, when, failed checks.',
  mode: 'http',
  seconds: 38,
  serverOptions: 'inter 1200ms fall 2 rise 2',
  backendLines: ['timeout check 250ms', 'option log-health-checks'],
  requests: { rate: 60, connections: 12 },
  actions: pauseActions('s1', [2.7, 8.7, 14.7, 20.7, 26.7, 32.7], 2.7),
});

export const HOLDOUT6_EXPERIMENTS = [hang, gcPause, twoServers];
