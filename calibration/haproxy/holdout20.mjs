// Held-out HAProxy run, round 20 (session 26, hold20): 1744041, `lb.sticky: source` is HAProxy's
// `stick-table type ip` + `stick on src`. HAProxy v2.6.0 src/stream.c process_sticking_rules() asks
// the table before any balancing, and sticking_rule_find_target() sends the stream to the stored
// server while `cur_state != SRV_ST_STOPPED` (or with option persist): a drained server (`set server
// be/s1 state drain`: weight 0, still RUNNING) keeps its addresses; a DOWN one's are load-balanced,
// and process_store_rules() (stktable_set_entry(): the entry kept, its server id overwritten) sticks
// them to their new server, where they stay when the old one comes back. The model before it
// (1744041^) ignored `sticky: source` with roundrobin: every request went round the usable servers.
//
// Three roundrobin servers, `stick-table type ip size 1m` + `stick on src`, `inter 1s fall 2 rise 2`,
// 60 req/s paced over 30 kept-alive connections, connection slot i from its own address 100.64.0.i
// (worker.mjs sourceBase; round 4's and 11's client, each slot sending only when idle): every
// address's first request is balanced (10 addresses per server), its later ones stuck. `state drain`
// of s1 at 4.006 s: s1 goes on answering its 10 addresses (old model: nothing). kill -9 s2 at
// 8.008 s (DOWN by 10.1 s), restarted at 13.008 s (UP by 15.1 s): in (16, 20] s s2 answers none of
// its old addresses (they are stuck to s3, the one usable server), old model ≈ half of the requests.
// The twin (calibration/scenarios/haproxy-holdout20-*.yaml) and its prediction
// (calibration/data/holdout20-predictions.json, a table over HAProxy's start before t0, `lb.uptime`)
// were committed before the run was recorded; the comparison is test/calibration/holdout20.test.ts.
//
//   flock /work/wt/calib.lock node calibration/run.mjs --only haproxy-holdout20 --parallel 1 --rt 10
import { heldOut, killThenRestart, LOG_CHECKS, THREE_SERVERS } from './holdout-common.mjs';

const stickDrainKill = heldOut({
  name: 'haproxy-holdout20-stick-src-drain-kill-3srv-http',
  description:
    'mode http, 3 servers roundrobin, `stick-table type ip size 1m` + `stick on src`, `inter 1s fall 2 rise 2`: ' +
    '60 req/s over 30 keep-alive connections, each from its own address (100.64.0.0-29); drain s1 at 4.006 s, ' +
    "kill -9 s2 at 8.008 s, restart at 13.008 s: whether the drained s1 keeps its addresses, and s2's stay away.",
  mode: 'http',
  seconds: 20,
  servers: THREE_SERVERS,
  serverOptions: 'inter 1s fall 2 rise 2',
  backendLines: ['stick-table type ip size 1m', 'stick on src', LOG_CHECKS],
  requests: { rate: 60, connections: 30, sourceBase: '100.64.0.0' },
  actions: [{ at: 4.006, op: 'cmd', command: 'set server be/s1 state drain' }, ...killThenRestart('s2', 8.008, 13.008)],
});

export const HOLDOUT20_EXPERIMENTS = [stickDrainKill];
