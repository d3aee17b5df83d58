// Held-out HAProxy runs, round 11 (session 21, hold11): mechanisms no round recorded, each where
// several of HAProxy 2.6.12's rules meet under load —
// - `option redispatch <interval>` (only `option redispatch` alone, interval -1, was recorded) on a
//   `balance source` backend, where the immediate redispatch rule does not apply (a hash), with the
//   retry turn-around min(timeout connect, 1 s) (back_handle_st_cer(), src/backend.c: the 1 s
//   default was recorded, `timeout connect` below it never) and the recorder's pooled client, whose
//   per-address connection is held while its request waits out the turn-arounds (corrected after
//   the recording, comments only: 2.6.12 waits only for a retry that stays on the same server, the
//   2.6 backport of 406efb96d "only enforce turn-around state when not redispatching" — the model's
//   rule, sim/model/lb/redispatch.ts turnAroundPause(); the comments below said "a hash: always");
// - requests in flight on a server killed with -9 (GET /slow/500: none of the recorded kills had a
//   request in flight), without and with `retry-on conn-failure empty-response` (never recorded):
//   HAProxy's answer to a server connection closed before any response (http_wait_for_response(),
//   src/http_ana.c) and its L7 retry (do_l7_retry()).
// Each twin (calibration/scenarios/haproxy-holdout11-*.yaml) and its prediction
// (calibration/data/holdout11-predictions.json, a table over HAProxy's start before t0, `lb.uptime`)
// were committed before the run was recorded; the comparison is test/calibration/holdout11.test.ts.
import { heldOut, killThenRestart, LOG_CHECKS, THREE_SERVERS } from './holdout-common.mjs';

const FOUR_SERVERS = ['s1', 's2', 's3', 's4'].map((name) => ({ name }));

/**
 * 32 client addresses (100.64.0.0 – 100.64.0.31, one kept-alive connection each, a request on the
 * next idle one: worker.mjs runRequests()), 64 req/s, `balance source` over four servers; kill -9
 * s2 at 5 s, restart at 14 s. A stream of an address that hashes to the dead s2 meets a refused
 * connect and is retried, on another server when stream_choose_redispatch() says so for that retry
 * (`option redispatch <interval>`) — at once — or on s2 after the turn-around (back_handle_st_cer()
 * with 406efb96d: only a retry kept on the same server waits).
 */
const sourceKill = ({ name, hash, redispatchLine, connectTimeout, what }) =>
  heldOut({
    name,
    description:
      `mode http, balance source${hash ? `, \`${hash}\`` : ' (map-based)'}, \`${redispatchLine}\`, \`retries 3\`` +
      `${connectTimeout ? `, \`timeout connect ${connectTimeout}\`` : ''}, 4 servers: 64 req/s from 32 client ` +
      `addresses (one keep-alive connection each, a request on the next idle one); kill -9 s2 at 5 s, restart at 14 s: ${what}`,
    mode: 'http',
    seconds: 20,
    servers: FOUR_SERVERS,
    backendLines: [
      'balance source',
      ...(hash ? [hash] : []),
      redispatchLine,
      ...(connectTimeout ? [`timeout connect ${connectTimeout}`] : []),
      LOG_CHECKS,
    ],
    requests: { rate: 64, connections: 32, sourceBase: '100.64.0.0' },
    actions: killThenRestart('s2', 5, 14),
  });

/**
 * `hash-type consistent`, `option redispatch 1`: every retry may go elsewhere; the ring skips the
 * server to avoid (chash_get_server_hash(), src/lb_chash.c), so s2's addresses are answered by
 * their next server at once (no turn-around: the retry is redispatched), until s2 is DOWN.
 */
const chashRedispatch1 = sourceKill({
  name: 'haproxy-holdout11-source-chash-redisp1-4srv-http',
  hash: 'hash-type consistent',
  redispatchLine: 'option redispatch 1',
  what: 'errors, failed connects to s2, the redispatched streams and their wait, DOWN and UP.',
});

/**
 * `option redispatch -2` (with retries 3: the retries where retry % 2 == 0) and `timeout connect
 * 400ms` (turn-around 400 ms): two refused connects to s2, one 400-ms wait, then the redispatch.
 */
const chashRedispatchMinus2 = sourceKill({
  name: 'haproxy-holdout11-source-chash-redisp-2-tc400-4srv-http',
  hash: 'hash-type consistent',
  redispatchLine: 'option redispatch -2',
  connectTimeout: '400ms',
  what: 'errors, failed connects to s2, the redispatched streams and their wait, DOWN and UP.',
});

/**
 * Map-based `balance source` with `option redispatch 1`: the redispatch hashes the address again
 * and the map ignores the server to avoid (get_server_sh() → map_get_server_hash(), src/backend.c):
 * every retry lands on s2 again, at once (a redispatched retry waits no turn-around), then 503.
 */
const mapRedispatch1 = sourceKill({
  name: 'haproxy-holdout11-source-map-redisp1-4srv-http',
  hash: null,
  redispatchLine: 'option redispatch 1',
  what: 'errors (503 after the retries), failed connects to s2, DOWN and UP.',
});

/**
 * Three roundrobin servers, `option redispatch`, `inter 1500ms fall 2 rise 2`, 60 req/s of GET
 * /slow/500 over 48 kept-alive connections: about ten requests are in flight on s2 when it is
 * killed at 5.008 s (half a request period off the pacing grid, so that no request ends or starts
 * at the kill); restarted at 11 s.
 */
const inflightKill = ({ name, backendLines = [], what }) =>
  heldOut({
    name,
    description:
      `mode http, \`retries 3\`, \`option redispatch\`${backendLines.length ? `, \`${backendLines.join('`, `')}\`` : ''}, ` +
      '3 servers roundrobin, `inter 1500ms fall 2 rise 2`: 60 req/s of 500-ms requests (GET /slow/500) over 48 ' +
      `keep-alive connections; kill -9 s2 at 5.008 s with requests in flight, restart at 11 s: ${what}`,
    mode: 'http',
    redispatch: true,
    seconds: 16,
    servers: THREE_SERVERS,
    serverOptions: 'inter 1500ms fall 2 rise 2',
    backendLines: [...backendLines, LOG_CHECKS],
    requests: { rate: 60, connections: 48, path: '/slow/500' },
    actions: killThenRestart('s2', 5.008, 11),
  });

/** Default `retry-on conn-failure`: the requests in flight on s2 lose their server connection unanswered. */
const inflight = inflightKill({
  name: 'haproxy-holdout11-kill-inflight-slow500-3srv-http',
  what: 'what the clients of the requests in flight get, redispatched streams, DOWN and UP.',
});

/** `retry-on conn-failure empty-response`: those requests are sent again (L7 retry), on another server. */
const inflightEmptyResponse = inflightKill({
  name: 'haproxy-holdout11-kill-inflight-emptyresp-3srv-http',
  backendLines: ['retry-on conn-failure empty-response'],
  what: 'whether the requests in flight are retried elsewhere, retried streams, DOWN and UP.',
});

/**
 * Second batch (11B: predicted after the first batch was recorded, before its own runs were).
 * Cookie persistence (`cookie SRV insert indirect nocache`, 16 users) with `option persist` (never
 * recorded) and `option redispatch`, 4 servers roundrobin, 60 req/s: `set server be/s2 state maint`
 * at 5.008 s — with persist a cookie naming a stopped server is still honoured
 * (http_manage_client_side_cookies(), src/http_ana.c: SF_DIRECT when PR_O_PERSIST), so s2's users
 * stay on it (alive, answering); kill -9 s2 at 10.008 s — their next connect is refused and, s2
 * not running, redispatched at once (stream_choose_redispatch(): cur_state < SRV_ST_RUNNING), the
 * new server's cookie moves them. Both actions half a request period off the pacing grid.
 */
const persistMaintKill = heldOut({
  name: 'haproxy-holdout11b-cookie-persist-maint-kill-4srv-http',
  description:
    'mode http, cookie insert, `option persist`, `option redispatch`, 4 servers roundrobin: 60 req/s from 16 users ' +
    '(kept-alive connections keeping their cookie); maint s2 at 5.008 s, kill -9 s2 at 10.008 s: what s2 answers ' +
    'in maint, failed connects and redispatches after the kill, errors.',
  mode: 'http',
  redispatch: true,
  cookie: true,
  seconds: 16,
  servers: FOUR_SERVERS,
  backendLines: ['option persist', LOG_CHECKS],
  requests: { rate: 60, connections: 16 },
  actions: [
    { at: 5.008, op: 'cmd', command: 'set server be/s2 state maint' },
    { at: 10.008, op: 'kill', server: 's2' },
  ],
});

/**
 * `balance leastconn` with requests in flight on the killed s2 (the first batch's in-flight run
 * with leastconn): once its streams are gone s2 serves the fewest, so leastconn
 * (fwlc_get_next_server(), src/lb_fwlc.c) picks it for every new request until it is DOWN; each
 * connect is refused and redispatched at once (not a hash: stream_choose_redispatch()).
 */
const inflightLeastconn = inflightKill({
  name: 'haproxy-holdout11b-kill-inflight-leastconn-3srv-http',
  backendLines: ['balance leastconn'],
  what: 'errors, redispatched streams while the dead s2 has the fewest connections, DOWN and UP.',
});

export const HOLDOUT11B_EXPERIMENTS = [persistMaintKill, inflightLeastconn];

export const HOLDOUT11_EXPERIMENTS = [
  chashRedispatch1,
  chashRedispatchMinus2,
  mapRedispatch1,
  inflight,
  inflightEmptyResponse,
];
