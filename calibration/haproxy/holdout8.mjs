// Held-out HAProxy runs, round 8 (session 20, hold8): blind predictions of what users size
// production from — per-server `maxconn` with `timeout queue` in front of slow servers (queued,
// then 503 at the queue timeout), `slowstart` over three roundrobin servers after a restart, and
// per-server `maxconn` keeping a hung (SIGSTOPped) server's share of the traffic to its slots.
// Each twin (calibration/scenarios/haproxy-holdout8-*.yaml) and its prediction
// (calibration/data/holdout8-predictions.json, a table over HAProxy's start before t0, `lb.uptime`,
// which only the recording's first logged check states) were committed before the run was
// recorded; the comparison is test/calibration/holdout8.test.ts.
import { heldOut, hungServerRun, killThenRestart, LOG_CHECKS, THREE_SERVERS } from './holdout-common.mjs';

/**
 * `maxconn 4` per server and `timeout queue 2s`, two servers answering in 200 ms (GET /slow/200):
 * 40 answers/s of capacity against 60 requests/s offered. Roundrobin without persistence queues on
 * the backend (pendconn_add(), src/queue.c) once both servers are full; a freed slot takes the
 * oldest (process_srv_queue()); a request still queued after 2 s ends 503 `sQ`
 * (stream_process_conn_err / back_handle_st_que, src/backend.c). The queue's wait grows by 0.5 s a
 * second, so the first 503 comes ≈ 6 s in and 20 a second after.
 */
const queueTimeout = heldOut({
  name: 'haproxy-holdout8-queue-maxconn4-tq2s-http',
  description:
    'mode http, 2 servers roundrobin, `maxconn 4` each, `timeout queue 2s`: 60 req/s of 200-ms requests ' +
    '(GET /slow/200) over 12 keep-alive connections (the pool grows when all are busy): answered, 503 at the ' +
    'queue timeout, queue waits.',
  mode: 'http',
  seconds: 16,
  serverOptions: 'maxconn 4',
  backendLines: ['timeout queue 2s', LOG_CHECKS],
  requests: { rate: 60, connections: 12, path: '/slow/200' },
  actions: [],
});

/**
 * `slowstart 6s` over three roundrobin servers: kill -9 s3 at 3 s, restart at 9 s. Once a check
 * brings it UP its effective weight ramps over 6 s (server_recalc_eweight(), src/server.c; the
 * warmup task every max(1 s, slowstart / 20)), so its share of the answers climbs from a few %
 * to a third.
 */
const slowstartRoundrobin = heldOut({
  name: 'haproxy-holdout8-slowstart6-3srv-http',
  description:
    'mode http, 3 servers roundrobin, `slowstart 6s`: 90 req/s over 18 keep-alive connections; kill -9 s3 at ' +
    "3 s, restart at 9 s: errors while dead, DOWN and UP, s3's share of the answers after UP.",
  mode: 'http',
  seconds: 24,
  servers: THREE_SERVERS,
  serverOptions: 'slowstart 6s',
  backendLines: [LOG_CHECKS],
  requests: { rate: 90, connections: 18 },
  actions: killThenRestart('s3', 3, 9),
});

/**
 * `maxconn 4` per server with s1 SIGSTOPped 4-9 s (a hung process; its kernel still accepts):
 * four requests fill s1's slots and wait for the SIGCONT; roundrobin then skips the full s1
 * (fwrr_get_next_server(), src/lb_fwrr.c: a server at maxconn is passed over) and s2 takes the
 * rest. No `timeout check`: a connected check fails after `inter` 2 s, three are needed (fall 3),
 * more than the 5-s pause.
 */
const hungMaxconn = hungServerRun({
  name: 'haproxy-holdout8-stop-maxconn4-http',
  setting: '2 servers roundrobin, `maxconn 4` each',
  serverOptions: 'maxconn 4',
  backendLines: [LOG_CHECKS],
});

export const HOLDOUT8_EXPERIMENTS = [queueTimeout, slowstartRoundrobin, hungMaxconn];
