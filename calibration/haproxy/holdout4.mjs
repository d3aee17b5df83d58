// Held-out HAProxy runs, round 4 (session 15), aimed at the seeds' classic failures
// (/work/shared/seeds: sticky-session loss, health-check cascades, rollout races): which clients a
// `balance source` backend moves when one of four servers goes DOWN and comes back (map-based,
// consistent with its default avalanche, consistent without it); cookie persistence with `option
// redispatch` through drain, maint and a dead server; checks against a server that pauses (a GC
// pause) longer than `timeout check`; slowstart under leastconn. Each run's drainsim twin
// (calibration/scenarios/haproxy-holdout4-*.yaml) was written and its prediction committed
// (calibration/data/haproxy-holdout4-predictions.json) before the run was recorded; the comparison
// is test/calibration/haproxy-holdout4.test.ts.

/** A round-4 run: HAProxy's per-stream log and every client request kept, no redispatch unless set. */
export const heldOut = (config) => ({ redispatch: false, keepLogs: true, keepRequests: true, ...config });

const FOUR_SERVERS = ['s1', 's2', 's3', 's4'].map((name) => ({ name }));

/** kill -9 a server, start it again later. */
const killThenRestart = (server, kill, restart) => [
  { at: kill, op: 'kill', server },
  { at: restart, op: 'restart', server },
];

/**
 * 32 client addresses (100.64.0.0 – 100.64.0.31: drainsim's clientAddress(0…31), so the twin
 * hashes the same numbers), one keep-alive connection each, 64 req/s in all; `balance source`
 * over four servers; kill -9 s2 at 5 s, restart at 14 s. Which address reaches which server
 * before, while s2 is DOWN and after it is UP again: get_server_sh() (src/backend.c) hashes the
 * address, map_get_server_hash() (src/lb_map.c) takes map[h % tot_weight] over the usable servers,
 * chash_get_server_hash() (src/lb_chash.c) the nearest point of a ring.
 */
const sourceRun = (name, hashLine, what, killed = 's2') =>
  heldOut({
    name: `haproxy-holdout4-source-${name}-4srv-http`,
    description:
      `mode http, balance source${hashLine ? `, \`${hashLine}\`` : ' (map-based)'}, 4 servers: 64 req/s from 32 ` +
      `client addresses (one keep-alive connection each); kill -9 ${killed} at 5 s, restart at 14 s: ${what}`,
    mode: 'http',
    seconds: 24,
    servers: FOUR_SERVERS,
    backendLines: ['balance source', ...(hashLine ? [hashLine] : [])],
    requests: { rate: 64, connections: 32, sourceBase: '100.64.0.0' },
    actions: killThenRestart(killed, 5, 14),
  });

const sourceMap = sourceRun('map', null, 'which clients move while s2 is DOWN (the map of 3 servers), and back.');
/** `hash-type consistent` alone means sdbm + avalanche (cfg_parse_listen(), src/cfgparse-listen.c). */
const sourceConsistent = sourceRun(
  'consistent',
  'hash-type consistent',
  'with the default avalanche only the clients of s2 should move, and come back.',
);
/**
 * An explicit function without the modifier: the raw address is the point on the ring, so the 32
 * neighbouring addresses share the nearest point — s1's, by the twin's ring (full_hash(puid × 4096
 * + k), chash_init_server_tree()) — and all move when s1 dies.
 */
const sourceConsistentRaw = sourceRun(
  'consistent-sdbm',
  'hash-type consistent sdbm',
  'without avalanche neighbouring addresses sit together on the ring: all move at once.',
  's1',
);

/**
 * Cookie persistence (`cookie SRV insert indirect nocache`) with `option redispatch` over four
 * servers, 16 users (connection slots keeping their cookie), 60 req/s: drain s1 at 4 s (its users
 * stay: the cookie is honoured while cur_state != STOPPED, http_manage_client_side_cookies()),
 * maint s2 at 8 s (its users are balanced again over s3/s4), kill -9 s3 at 12 s: a persistent
 * request to the dead but still UP s3 retries there (turn-around 1 s) and redispatches on the last
 * retry (stream_choose_redispatch(): SF_DIRECT, server running), i.e. after ≈ 2 s, to s4.
 */
const cookieStates = heldOut({
  name: 'haproxy-holdout4-cookie-drain-maint-kill-redispatch-http',
  description:
    'mode http, cookie insert, option redispatch, 4 servers: 60 req/s from 16 users (kept-alive ' +
    'connections keeping their cookie); drain s1 at 4 s, maint s2 at 8 s, kill -9 s3 at 12 s: where each ' +
    "server's users go, redispatches and their wait, errors.",
  mode: 'http',
  redispatch: true,
  cookie: true,
  seconds: 22,
  servers: FOUR_SERVERS,
  requests: { rate: 60, connections: 16 },
  actions: [
    { at: 4, op: 'cmd', command: 'set server be/s1 state drain' },
    { at: 8, op: 'cmd', command: 'set server be/s2 state maint' },
    { at: 12, op: 'kill', server: 's3' },
  ],
});

/**
 * A server that stops the world for 1.5 s every 4 s (SIGSTOP / SIGCONT: a GC pause; the kernel
 * still completes connects) under `inter 500ms fastinter 200ms downinter 300ms fall 2 rise 2` and
 * `timeout check 300ms`. A connected check with no answer fails (L7TOUT) at the later of its
 * connect deadline, min(inter, timeout connect) from its start, and `timeout check` from the
 * connect (tcpcheck_eval_connect(), src/tcpcheck.c; held-out round 1: "check duration: 1001ms"
 * with inter 1s, timeout check 300ms): 500 ms here. A check started x s into a pause fails when
 * x < 1.0; the next one, 200 ms after it, fails too when x < 0.3 — then s1 is DOWN (fall 2), and UP
 * again after two answered checks, 300 ms (downinter) and 200 ms (fastinter) apart (src/check.c
 * process_chk_conn(), src/server.c srv_getinter()).
 */
const PAUSES = [3, 7, 11, 15, 19];

/** SIGSTOP a server at each of `starts` (s) and SIGCONT it `seconds` later: recurring stop-the-world pauses. */
export const pauseActions = (server, starts, seconds) =>
  starts.flatMap((at) => [
    { at, op: 'stop', server },
    { at: at + seconds, op: 'cont', server },
  ]);
const gcPause = heldOut({
  name: 'haproxy-holdout4-gcpause-tcheck-http',
  description:
    'mode http, `inter 500ms fastinter 200ms downinter 300ms fall 2 rise 2`, `timeout check 300ms`: 60 req/s ' +
    'over 12 keep-alive connections; s1 paused (SIGSTOP) 1.5 s every 4 s from 3 s: DOWN/UP times, check ' +
    'failures, delayed requests.',
  mode: 'http',
  seconds: 24,
  serverOptions: 'inter 500ms fastinter 200ms downinter 300ms fall 2 rise 2',
  backendLines: ['timeout check 300ms'],
  requests: { rate: 60, connections: 12 },
  actions: pauseActions('s1', PAUSES, 1.5),
});

/**
 * The same pauses without `timeout check` (added after the round's first six runs were recorded,
 * its twin and prediction committed before it was): a connected check with no answer then fails
 * `inter` after its start, since only `timeout check` lowers the task's expiry
 * (tcpcheck_eval_connect(), src/tcpcheck.c) — the rule drainsim models, with nothing left to the
 * scheduler. A check x s into a pause fails when x < 1.0, the next one (200 ms after it) when
 * x < 0.3.
 */
const gcPauseInter = {
  ...gcPause,
  name: 'haproxy-holdout4-gcpause-inter-http',
  description: gcPause.description.replace(', `timeout check 300ms`', ' (no `timeout check`)'),
  backendLines: [],
};

/**
 * slowstart under leastconn (fwlc, src/lb_fwlc.c: key (inflight + 1) × SRV_EWGHT_MAX / eweight,
 * 0 when idle) with 100-ms requests (≈ 6 in flight over 3 servers): kill -9 s1 at 3 s, restart at
 * 12 s (DOWN by then whatever the check phase); once UP its eweight ramps 1/16 … 16/16 over 8 s
 * (server_recalc_eweight(), src/server.c).
 */
const slowstartLeastconn = heldOut({
  name: 'haproxy-holdout4-slowstart-lc-http',
  description:
    'mode http, balance leastconn, `slowstart 8s`, 3 servers: 60 req/s of 100-ms requests (GET /slow/100) over ' +
    '24 keep-alive connections; kill -9 s1 at 3 s, restart at 12 s: errors while dead, s1 responses per ' +
    'second after UP.',
  mode: 'http',
  seconds: 30,
  servers: ['s1', 's2', 's3'].map((name) => ({ name })),
  serverOptions: 'slowstart 8s',
  backendLines: ['balance leastconn'],
  requests: { rate: 60, connections: 24, path: '/slow/100' },
  actions: killThenRestart('s1', 3, 12),
});

/**
 * A tunnel whose server half-closes (mode tcp: every connection is a tunnel once connected): 10
 * connections send one request and never write again, keeping their side open after EOF; the
 * server pushes a chunk every 250 ms (one-way traffic: each write refreshes the client side's
 * read timeout, sc_notify(), src/stconn.c) for 4 s, then sends its FIN and keeps reading.
 * process_stream() (src/stream.c) relays the FIN to the client and, once no analyser is left,
 * sets the tunnel's timeouts: `timeout tunnel` both ways, the client side's read timeout
 * `timeout client-fin` once the response channel is shut towards the client (res CF_SHUTW), the
 * server side's write timeout `timeout server-fin` once the server shut (res CF_SHUTR). So the
 * silent client side should time out 2 s after the server's FIN (log `cD`), not at the 20-s
 * tunnel timeout.
 */
const tunnelServerFin = heldOut({
  name: 'haproxy-holdout4-tunnel-serverfin-tcp',
  description:
    'mode tcp, `timeout tunnel 20s`, `timeout client-fin 2s`, `timeout server-fin 3s`: 10 tunnels, server-to-client ' +
    'traffic every 250 ms for 4 s, then the server half-closes (FIN, keeps reading); the client never writes ' +
    'and never closes: which timer ends each tunnel, and when.',
  mode: 'tcp',
  seconds: 14,
  frontendLines: ['timeout client-fin 2s'],
  backendLines: ['timeout server-fin 3s', 'timeout tunnel 20s'],
  tunnels: { count: 10, path: '/halfclose/4000' },
  actions: [],
});

export const HOLDOUT4_EXPERIMENTS = [
  sourceMap,
  sourceConsistent,
  sourceConsistentRaw,
  cookieStates,
  gcPause,
  slowstartLeastconn,
  gcPauseInter,
  tunnelServerFin,
];
