// Held-out HAProxy runs, round 5 (session 16): when does a connected check with `timeout check`
// fail? HAProxy 2.6 lowers the check task's expire to connect + timeout check without requeueing
// it (tcpcheck_eval_connect(), src/tcpcheck.c); wake_expired_tasks() (src/task.c) reads it only when
// a walk of the shared timer tree reaches the entry — when another server's check task comes due
// before the entry's key, min(inter, timeout connect) — else at that key (drainsim:
// sim/model/lb/check-wait-queue.ts). So with `inter 1s`, `timeout check 300ms` and two servers
// checked 500 ms apart (start_checks(): inter × k / n) a check against a paused server should fail
// about 500 ms in (s2's task comes due), and the next one, 1 s later, at connect + 300 ms (s2's
// wake-up just after its start requeues it there): DOWN when the pause began less than ~0.7 s
// before the first failing check. The rule drainsim had until session 16 (the later of the key and
// connect + timeout check: 1 s) marks it DOWN in none of the 2.5-s pauses; with one server alone
// both rules wait for the key.
// Each run's twin (calibration/scenarios/haproxy-holdout5-*.yaml) and its prediction
// (calibration/data/haproxy-holdout5-predictions.json) were committed before the run was recorded;
// the comparison is test/calibration/haproxy-holdout5.test.ts.
import { heldOut, pauseActions } from './holdout4.mjs';

/**
 * s1 paused (SIGSTOP / SIGCONT) 2.5 s every 6.25 s from 3 s: the checks' 1-s grid meets the six pauses
 * at phases 0.25 s apart, so the count of DOWNs does not hang on one phase.
 */
const PAUSE_STARTS = [3, 9.25, 15.5, 21.75, 28, 34.25];
const CHECKS = 'inter 1s fall 2 rise 2';

const twoServers = heldOut({
  name: 'haproxy-holdout5-tcheck-2srv-http',
  description:
    'mode http, 2 servers, `inter 1s fall 2 rise 2`, `timeout check 300ms`: 60 req/s over 12 keep-alive ' +
    'connections; s1 paused 2.5 s every 6.25 s from 3 s: in how many pauses s1 goes DOWN, when, failed checks.',
  mode: 'http',
  seconds: 39,
  serverOptions: CHECKS,
  backendLines: ['timeout check 300ms', 'option log-health-checks'],
  requests: { rate: 60, connections: 12 },
  actions: pauseActions('s1', PAUSE_STARTS, 2.5),
});

/**
 * The same almost without client traffic (1 req/s on one kept-alive connection: the harness counts
 * time from its client's start, so a run needs one): the balancer's threads wake about once a
 * second for client I/O instead of 60 times.
 */
const twoServersQuiet = {
  ...twoServers,
  name: 'haproxy-holdout5-tcheck-2srv-1rps-http',
  description: twoServers.description.replace(
    '60 req/s over 12 keep-alive connections',
    '1 req/s on one kept-alive connection',
  ),
  requests: { rate: 1, connections: 1 },
};

/** One server alone: no other check task shares the tree, so the check should wait for its key (1 s). */
const oneServer = {
  ...twoServers,
  name: 'haproxy-holdout5-tcheck-1srv-http',
  description: twoServers.description.replace('2 servers', '1 server'),
  servers: [{ name: 's1' }],
  requests: { rate: 20, connections: 4 },
};

/**
 * chkfix16 (review18 defect 5): three servers, `inter 3s`, `timeout connect 1500ms` (the connect
 * deadline min(inter, timeout connect) = 1.5 s), `timeout check 300ms`, s1 stopped 24 s. Designed to
 * test a candidate reading, process_chk_conn()'s task_set_affinity() (src/check.c): an answered check
 * of s2 or s3 would leave its task at connect + 300 ms, whose walk could end s1's check 300 ms in;
 * without that key (main's rule) s1's check waits for the next check start of s2/s3 or its own
 * 1.5-s key. The reading was rejected (NOTES.md item 29); this run agrees with main on the DOWN.
 */
const threeServersConnect = heldOut({
  name: 'haproxy-holdout5-tcheck-3srv-tconn-http',
  description:
    'mode http, 3 servers, `inter 3s fall 2 rise 2`, `timeout connect 1500ms`, `timeout check 300ms`: 20 req/s ' +
    'over 4 keep-alive connections; s1 paused from 3 s to 27 s: failed checks of s1 and their durations.',
  mode: 'http',
  seconds: 30,
  servers: ['s1', 's2', 's3'].map((name) => ({ name })),
  serverOptions: 'inter 3s fall 2 rise 2',
  backendLines: ['timeout connect 1500ms', 'timeout check 300ms', 'option log-health-checks'],
  requests: { rate: 20, connections: 4 },
  actions: pauseActions('s1', [3], 24),
});

export const HOLDOUT5_EXPERIMENTS = [twoServers, twoServersQuiet, oneServer, threeServersConnect];
