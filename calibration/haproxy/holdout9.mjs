// Held-out HAProxy runs, round 9 (session 20, hold9): three mechanisms no earlier round recorded —
// slowstart when a server leaves forced maintenance (not a restart), leastconn with a hung
// (SIGSTOPped) server and no maxconn, and `balance random` over unequal weights. Each twin
// (calibration/scenarios/haproxy-holdout9-*.yaml) and its prediction
// (calibration/data/holdout9-predictions.json, a table over HAProxy's start before t0, `lb.uptime`)
// were committed before the run was recorded; the comparison is test/calibration/holdout9.test.ts.
import { heldOut, hungServerRun, LOG_CHECKS, stateThenReady, THREE_SERVERS } from './holdout-common.mjs';

/**
 * `slowstart 6s` over three roundrobin servers, s3 put in maint at 3 s and made ready at 9 s
 * through the runtime API: leaving maint is one of the transitions that starts the warm-up
 * (srv_update_status(), src/server.c; server_recalc_eweight()), so s3's share climbs over 6 s.
 */
const slowstartMaint = heldOut({
  name: 'haproxy-holdout9-slowstart6-maint-3srv-http',
  description:
    'mode http, 3 servers roundrobin, `slowstart 6s`: 90 req/s over 18 keep-alive connections; `set server be/s3 ' +
    "state maint` at 3 s, `state ready` at 9 s: s3's share of the answers after ready, errors.",
  mode: 'http',
  seconds: 20,
  servers: THREE_SERVERS,
  serverOptions: 'slowstart 6s',
  backendLines: [LOG_CHECKS],
  requests: { rate: 90, connections: 18 },
  actions: stateThenReady('s3', 'maint', 3, 9),
});

/**
 * `balance leastconn`, no maxconn, s1 SIGSTOPped 4-9 s (its kernel still accepts): a request sent
 * to s1 stays in flight, raising s1's key (fwlc_get_next_server(), src/lb_fwlc.c: served + 1 over
 * the weight), so leastconn sends s1 only what ties or beats s2's in-flight count — a few requests,
 * not half as roundrobin would. No `timeout check`: three failed checks take more than the pause.
 */
const hungLeastconn = hungServerRun({
  name: 'haproxy-holdout9-stop-leastconn-http',
  setting: '2 servers leastconn, no maxconn',
  backendLines: ['balance leastconn', LOG_CHECKS],
});

/**
 * `balance random` over weights 1, 1, 2 (HAProxy 2.6: random(2), two draws on the consistent-hash
 * ring, the less loaded kept; src/lb_chash.c chash_get_server_hash(), src/backend.c): s3 carries
 * about half the answers; kill -9 s3 at 6 s splits them over s1 and s2 once it is DOWN.
 */
const randomWeights = heldOut({
  name: 'haproxy-holdout9-random-w112-3srv-http',
  description:
    'mode http, 3 servers `balance random`, weights 1, 1, 2: 60 req/s over 12 keep-alive connections; kill -9 s3 ' +
    "at 6 s: s3's share before, errors and DOWN after the kill.",
  mode: 'http',
  seconds: 16,
  servers: [{ name: 's1' }, { name: 's2' }, { name: 's3', options: 'weight 2' }],
  backendLines: ['balance random', LOG_CHECKS],
  requests: { rate: 60, connections: 12 },
  actions: [{ at: 6, op: 'kill', server: 's3' }],
});

/**
 * Second batch (predicted after the first three were recorded, before these two were): `balance
 * random` with s1 SIGSTOPped 4-9 s. HAProxy 2.6's random takes two draws and keeps the less loaded
 * (get_server_rnd(), src/lb_chash.c: `draws` 2 by default, the lower served + queued over the
 * weight), so the hung s1 gets a request only when both draws fall on it — far fewer than half,
 * more than leastconn's one.
 */
const hungRandom = hungServerRun({
  name: 'haproxy-holdout9b-stop-random-http',
  setting: '2 servers `balance random`, no maxconn',
  backendLines: ['balance random', LOG_CHECKS],
});

/**
 * `balance leastconn` over weights 1 and 3 with 200-ms requests (GET /slow/200, ≈ 8 in flight at
 * 40 req/s): fwlc's key is (served + 1) × SRV_EWGHT_MAX / eweight (fwlc_queue_srv(), src/lb_fwlc.c),
 * so s2 holds about three times s1's in-flight requests and answers about three quarters.
 */
const weightedLeastconn = heldOut({
  name: 'haproxy-holdout9b-leastconn-w13-slow200-http',
  description:
    'mode http, 2 servers `balance leastconn`, weights 1 and 3: 40 req/s of 200-ms requests (GET /slow/200) over ' +
    "12 keep-alive connections (the pool grows when all are busy): s2's share of the answers, errors.",
  mode: 'http',
  seconds: 14,
  servers: [{ name: 's1' }, { name: 's2', options: 'weight 3' }],
  backendLines: ['balance leastconn', LOG_CHECKS],
  requests: { rate: 40, connections: 12, path: '/slow/200' },
  actions: [],
});

export const HOLDOUT9_EXPERIMENTS = [slowstartMaint, hungLeastconn, randomWeights];
/** The second batch (names holdout9b: `--only haproxy-holdout9b` records it alone). */
export const HOLDOUT9B_EXPERIMENTS = [hungRandom, weightedLeastconn];
