// Held-out HAProxy runs, round 3 (session 14): behaviour drainsim models but had never compared
// with parameters it was not built from — a reload (`haproxy -sf`, the old process soft-stops) with
// `hard-stop-after`, in tcp and http mode; a server whose packets vanish behind `timeout connect
// 1500ms`, `retries 2` and `option redispatch`; a server that flaps under new
// inter/fastinter/downinter/fall/rise; `timeout client` under one-way traffic. Each one's drainsim
// twin (calibration/scenarios/haproxy-holdout3-*.yaml) was written and its prediction committed
// (calibration/data/haproxy-holdout3-predictions.json) before the run was recorded; the comparison
// is test/calibration/haproxy-holdout3.test.ts.

/** A round-3 run: HAProxy's per-stream log kept (the comparison reads it), no redispatch unless set. */
const heldOut = (config) => ({ redispatch: false, keepLogs: true, ...config });

/** The recorded clients of the reload runs: keep-alive requests and never-ending streams. */
const reloadLoad = {
  requests: { rate: 60, connections: 12 },
  streams: { count: 20 },
};

/**
 * Reload in tcp mode with `hard-stop-after 4s`: every client connection is a stream of the old
 * process (tcp mode has no idle state to close), so all 12 request connections and 20 streams
 * carry on through the old process until the hard stop shuts them (hard_stop() →
 * stream_shutdown(), src/proxy.c / src/stream.c): FIN, log `K`. The old process then exits.
 */
const reloadTcp = heldOut({
  name: 'haproxy-holdout3-reload-hsa4-tcp',
  description:
    'mode tcp, `hard-stop-after 4s`: 60 req/s over 12 keep-alive connections and 20 never-ending streams; ' +
    '`haproxy -sf` (reload) at 5 s: when the old process closes its client connections, how many requests ' +
    'fail, when it exits.',
  mode: 'tcp',
  seconds: 14,
  globalLines: ['hard-stop-after 4s'],
  ...reloadLoad,
  actions: [{ at: 5, op: 'reload' }],
});

/**
 * The same reload in http mode with `hard-stop-after 3s`: an idle keep-alive client connection of
 * a stopping proxy is closed at once (no close-spread-time), a busy one after its response
 * ("Connection: close", src/mux_h1.c); a never-ending response keeps its stream until the hard stop.
 */
const reloadHttp = {
  ...reloadTcp,
  name: 'haproxy-holdout3-reload-hsa3-http',
  description:
    'mode http, `hard-stop-after 3s`: 60 req/s over 12 keep-alive connections and 20 never-ending ' +
    'streams (GET /stream); `haproxy -sf` (reload) at 5 s: idle client connections closed, requests ' +
    'failed, streams ended and when, when the old process exits.',
  mode: 'http',
  seconds: 12,
  globalLines: ['hard-stop-after 3s'],
};

/**
 * s1's packets vanish (nft DROP both ways) at 5 s, tcp mode, `timeout connect 1500ms`, `retries
 * 2`, `option redispatch`, connections with exponential lifetimes (mean 3 s): a new connection
 * roundrobin gives to s1 waits 1.5 s for its SYN-ACK, then (a connect timeout: no turn-around
 * pause; srv_act > 1 and roundrobin: redispatch on every retry, stream_choose_redispatch()) is
 * sent to s2 at once. Established s1 flows hang until the client's 8-s timeout. Checks time out
 * (L4TOUT) after inter, so DOWN after 3 failures 4 s apart.
 */
const vanishRedispatch = heldOut({
  name: 'haproxy-holdout3-vanish-tconnect-tcp-redispatch',
  description:
    'mode tcp, `timeout connect 1500ms`, `retries 2`, option redispatch: 60 req/s over 12 connections with ' +
    'exponential lifetimes (mean 3 s); every packet to/from s1 dropped from 5 s (nft): redispatched ' +
    'streams and their connect time, client timeouts, time to DOWN (L4TOUT).',
  mode: 'tcp',
  redispatch: true,
  seconds: 22,
  seed: 61,
  backendLines: ['timeout connect 1500ms', 'retries 2'],
  requests: { rate: 60, connections: 12, meanLifetimeS: 3 },
  actions: [{ at: 5, op: 'drop', server: 's1' }],
});

/**
 * A flapping server under checks no run used: `inter 1500ms fastinter 300ms downinter 700ms fall 2
 * rise 4`; kill -9 s1 at 4 s, restart at 9 s, kill again at 15 s, restart at 19 s: each DOWN (first
 * failure on the inter grid, the next fastinter later) and UP (first success on the downinter
 * grid, three more fastinter apart), 503s while it is dead but UP.
 */
const flap = heldOut({
  name: 'haproxy-holdout3-flap-http',
  description:
    'mode http, `inter 1500ms fastinter 300ms downinter 700ms fall 2 rise 4`: 60 req/s over 12 keep-alive ' +
    'connections; kill -9 s1 at 4 s, restart at 9 s, kill at 15 s, restart at 19 s: DOWN and UP times, 503s.',
  mode: 'http',
  seconds: 25,
  serverOptions: 'inter 1500ms fastinter 300ms downinter 700ms fall 2 rise 4',
  requests: { rate: 60, connections: 12 },
  actions: [
    [4, 9],
    [15, 19],
  ].flatMap(([kill, restart]) => [
    { at: kill, op: 'kill', server: 's1' },
    { at: restart, op: 'restart', server: 's1' },
  ]),
});

/**
 * `timeout client 2500ms` (timeout server 30s) in tcp mode under one-way traffic: 20 streams the
 * server writes to every 250 ms and the client never writes on, and 3 request connections that
 * get a request every 3 s (1 req/s; the worker's first requests at 1, 2, 3 s; a connection the
 * timeout closed is reopened at once and idles 0.5 s to its next request — no race with the
 * 2.5 s). A write to the client refreshes the client side's read timeout (sc_notify(),
 * src/stconn.c, without `option independent-streams`), so the streams never time out; the request
 * connections are closed 2.5 s after their last exchange.
 */
const oneWayTimeouts = heldOut({
  name: 'haproxy-holdout3-oneway-tclient2500-tcp',
  description:
    'mode tcp, `timeout client 2500ms`, `timeout server 30s`: 20 streams with server-to-client traffic only ' +
    '(a chunk every 250 ms) and 1 req/s over 3 keep-alive connections (idle 3 s between requests): which ' +
    'connections HAProxy times out, and when.',
  mode: 'tcp',
  seconds: 14,
  frontendLines: ['timeout client 2500ms'],
  requests: { rate: 1, connections: 3 },
  streams: { count: 20 },
  actions: [],
});

/**
 * Per-server `maxconn 3` and `timeout queue 5s` in tcp mode with 20 never-ending streams opened at
 * once: 6 get a server, 14 wait in the backend queue (roundrobin, no persistence: pendconn_add()
 * on the proxy, src/queue.c). `shutdown sessions server be/s1` at 2 s frees s1's 3 slots, which
 * the queue's oldest take at once (process_srv_queue()); the other 11 leave the queue at its
 * timeout (5 s after they came) and are closed: the client reads EOF (STRM_ET_QUEUE_TO,
 * default_srv_error(), src/stream.c).
 */
const queueTcp = heldOut({
  name: 'haproxy-holdout3-queue-shutdown-tcp',
  description:
    'mode tcp, `maxconn 3` per server, `timeout queue 5s`: 20 never-ending streams opened at once; ' +
    '`shutdown sessions server be/s1` at 2 s: streams served, dequeued to s1, closed at the queue timeout.',
  mode: 'tcp',
  seconds: 9,
  serverOptions: 'maxconn 3',
  backendLines: ['timeout queue 5s'],
  streams: { count: 20 },
  actions: [{ at: 2, op: 'cmd', command: 'shutdown sessions server be/s1' }],
});

/**
 * The one-way run in http mode: a never-ending response is server-to-client traffic on a stream
 * (not a tunnel: its analysers stay), whose writes to the client refresh the client side's read
 * timeout as in tcp mode; an idle keep-alive client connection is closed after `timeout client`
 * (no `timeout http-keep-alive` / `http-request`: h1_refresh_timeout(), src/mux_h1.c).
 */
const oneWayTimeoutsHttp = {
  ...oneWayTimeouts,
  name: 'haproxy-holdout3-oneway-tclient2500-http',
  description: oneWayTimeouts.description.replace('mode tcp', 'mode http'),
  mode: 'http',
};

/**
 * s1's packets vanish in http mode behind `timeout connect 1500ms`, `option redispatch`, and
 * checks with `inter 3s` and `timeout check 1s`: a check's connect gets min(inter, timeout
 * connect) = 1.5 s (tcpcheck_eval_connect(), src/tcpcheck.c), L4TOUT, the next one inter later
 * (4.5 s apart). Requests roundrobin gives s1 wait 1.5 s for a connection and are redispatched;
 * a request on a kept-alive server connection to s1 (http-reuse safe) waits for an answer that
 * never comes.
 */
const vanishHttp = heldOut({
  name: 'haproxy-holdout3-vanish-tcheck-http-redispatch',
  description:
    'mode http, `timeout connect 1500ms`, option redispatch, `inter 3s`, `timeout check 1s`: 60 req/s over ' +
    '12 keep-alive connections; every packet to/from s1 dropped from 5 s (nft): check failures and time to ' +
    'DOWN, redispatched requests, client timeouts.',
  mode: 'http',
  redispatch: true,
  seconds: 24,
  serverOptions: 'inter 3s',
  backendLines: ['timeout connect 1500ms', 'timeout check 1s'],
  requests: { rate: 60, connections: 12 },
  actions: [{ at: 5, op: 'drop', server: 's1' }],
});

export const HOLDOUT3_EXPERIMENTS = [
  reloadTcp,
  reloadHttp,
  vanishRedispatch,
  flap,
  oneWayTimeouts,
  queueTcp,
  oneWayTimeoutsHttp,
  vanishHttp,
];
