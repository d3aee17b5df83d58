// Held-out HAProxy run, round 19 (session 26, hold19): 610a0bd, a check that PASSES while its server
// is in maintenance still counts. HAProxy v2.6.0 src/check.c set_server_check_status() raises
// check->health on a pass with no test for maintenance (maint had set it to 0: src/server.c
// srv_update_status(), "Maintenance must also disable health checks"), so when process_chk_conn()
// reschedules the task, srv_getinter() (src/server.c) gives fastinter (unset: inter, 2 s), not
// downinter (health 0, next_state STOPPED); the paused task then wakes every inter on that grid, and
// `state ready` (health = rise, "start OK but check immediately", no wakeup) leaves the next check
// there. The model before it (610a0bd^) scheduled the next check at downinter (3 s).
//
// Two roundrobin servers, `downinter 3s` (inter 2s fall 3 rise 2: config.mjs), no timeout check (a
// check's whole timeout is inter), 20 req/s over 12 kept-alive connections. s1 SIGSTOPped at 3.008 s:
// its kernel accepts the check sent in (3.0, 5.0] s and node answers it at the SIGCONT, 5.208 s,
// 0.2 s into the maint set at 5.006 s (whatever the checks' phase, unless that check was sent in
// (3.0, 3.2] s and timed out first). s1 killed (kill -9) at 8.008 s, in maint; `state ready` at
// 12.006 s: the first check after it is refused and marks s1 DOWN at once (health rise - 1). When:
// 13.2 s (5.2 + 2k) with the rule, 12.2 s (5.2 + 3 + 2k) without. The twin
// (calibration/scenarios/haproxy-holdout19-*.yaml) and its prediction (calibration/data/holdout19-
// predictions.json, a table over HAProxy's start before t0, `lb.uptime`) were committed before the
// run was recorded; the comparison is test/calibration/holdout19.test.ts.
//
//   flock /work/wt/calib.lock node calibration/run.mjs --only haproxy-holdout19 --parallel 1 --rt 10
import { heldOut, LOG_CHECKS } from './holdout-common.mjs';

const cmd = (at, state) => ({ at, op: 'cmd', command: `set server be/s1 state ${state}` });

const maintPassingCheck = heldOut({
  name: 'haproxy-holdout19-maint-check-passes-downinter3-2srv-http',
  description:
    'mode http, 2 servers roundrobin, `inter 2s fall 3 rise 2 downinter 3s`, no timeout check: 20 req/s over 12 ' +
    'keep-alive connections; SIGSTOP s1 at 3.008 s, maint s1 at 5.006 s, SIGCONT s1 at 5.208 s (its hung check ' +
    'passes in maint), kill -9 s1 at 8.008 s, ready s1 at 12.006 s: when the first check after ready marks s1 DOWN.',
  mode: 'http',
  seconds: 16,
  serverOptions: 'downinter 3s',
  backendLines: [LOG_CHECKS],
  requests: { rate: 20, connections: 12 },
  actions: [
    { at: 3.008, op: 'stop', server: 's1' },
    cmd(5.006, 'maint'),
    { at: 5.208, op: 'cont', server: 's1' },
    { at: 8.008, op: 'kill', server: 's1' },
    cmd(12.006, 'ready'),
  ],
});

export const HOLDOUT19_EXPERIMENTS = [maintPassingCheck];
