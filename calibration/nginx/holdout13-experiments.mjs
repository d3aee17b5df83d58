// Held-out nginx experiments, round 13 (session 22, hold13): nginx 1.22.1 mechanisms in
// COMBINATIONS no round recorded together. Each twin (calibration/scenarios/nginx-holdout13-*.yaml)
// and its prediction (calibration/data/holdout13-predictions.json) were committed before the run
// was recorded; the comparison is test/calibration/holdout13.test.ts. ≤ 16 s each.
//
// - client keepalive_requests with `nginx -s reload` (round 3 recorded keepalive_requests alone,
//   rounds 1, 7 and 10 reloads without it): the QUIT closes the idle keep-alive connections
//   (ngx_close_idle_connections), answers the busy ones `Connection: close`
//   (ngx_http_header_filter: ngx_exiting clears r->keepalive), and every client goes on on a new
//   connection to the new worker, whose request count (c->requests, ngx_http_update_location_config:
//   r->keepalive = 0 once it reaches keepalive_requests) starts again: the keepalive_requests closes
//   move to new times.
// - proxy_connect_timeout with proxy_read_timeout on an app whose accept queue is full (round 3
//   recorded proxy_connect_timeout alone; proxy_read_timeout was recorded on an answering app): the
//   connections handshaken into the frozen app's queue carry their requests and time out READING
//   (504 at proxy_read_timeout); nginx closes them, but a closed child stays in the listener's
//   accept queue until the app accepts it (inet_csk_accept), so the queue stays full of dead
//   connections and every later connect waits for proxy_connect_timeout (the SYN dropped:
//   tcp_conn_request sk_acceptq_is_full).
// - the same through an upstream keepalive cache (`keepalive 4`) with requests in flight at the
//   freeze: the cached connections time out reading (a timed-out connection is never cached:
//   ngx_http_upstream_free_keepalive_peer, c->read->timedout), the next requests connect anew.

import { generations } from './experiments.mjs';
import { connectTimeoutExperiment, upstreamPoolsExperiment } from './holdout3-experiments.mjs';

const count = (xs, key) =>
  xs.reduce((m, x) => {
    m[key(x)] = (m[key(x)] ?? 0) + 1;
    return m;
  }, {});
const statusOf = (e) => (e.out === 'ok' ? String(e.status) : e.out);

/** What the figures of round 13 read, summed up for a reader of the data file. */
function summarise(data) {
  const reqs = data.clientEvents.filter((e) => e.ev === 'req' && e.out !== 'client-closed');
  const closes = data.clientEvents.filter((e) => e.ev === 'conn-close');
  const lat = (e) => Math.round((e.s - e.sentS) * 1000) / 1000;
  return {
    requests: reqs.length,
    outcomes: count(reqs, (e) => `${statusOf(e)}${e.conn?.toLowerCase() === 'close' ? '+Connection:close' : ''}`),
    latencyOf504: count(
      reqs.filter((e) => e.status === 504),
      (e) => (lat(e) < 1.5 ? '<1.5s' : '>=1.5s'),
    ),
    closesByNginx: closes.filter((e) => e.how === 'eof').length,
    closes: count(closes, (e) => `${e.idle ? 'idle' : 'busy'}.${e.how}`),
    connectFailures: data.clientEvents.filter((e) => e.ev === 'connect-fail').length,
    upstreamConnects: data.backendEvents.filter((e) => e.ev === 'up-conn').length,
    actions: data.actions,
    generations: generations(data),
    errorLog: Object.fromEntries(Object.entries(data.errorLogCounts).filter(([k]) => !k.startsWith('[notice]'))),
    scheduling: data.stamp.scheduling?.requested ?? 'default',
  };
}

/**
 * keepalive_requests 5 (keepalive_timeout 60s) and `nginx -s reload` at 5.12 s: 20 keep-alive
 * clients opened 20 ms apart from 50 ms, each a closed loop (GET `path`, think `thinkMs`) until
 * 12 s. keepDue (drainsim's clients.http.reconnect eager): the replacement of a connection nginx
 * closed — after a `Connection: close` answer too — waits for the planned request.
 */
function reloadKeepaliveRequests({ name, description, path, thinkMs }) {
  return {
    name,
    description,
    seconds: 14,
    nginx: { keepaliveTimeout: '60s', keepaliveRequests: 5 },
    client: {
      endMs: 13_000,
      groups: [
        {
          kind: 'loop',
          group: 'kr',
          conns: 20,
          thinkMs,
          path,
          startMs: 50,
          staggerMs: 20,
          stopMs: 12_000,
          keepDue: true,
        },
      ],
    },
    actions: [{ atMs: 5120, signal: 'reload' }],
    summarise,
  };
}

/** Round 3's frozen-app run (backlog 2, kill -STOP 4-10 s, proxy_connect_timeout) with proxy_read_timeout. */
function frozenQueue({ name, connectTimeout, readTimeout }) {
  const base = connectTimeoutExperiment({ name });
  return {
    ...base,
    description:
      `proxy_connect_timeout ${connectTimeout}, proxy_read_timeout ${readTimeout}; node (listen backlog 2) frozen by ` +
      'kill -STOP from 4 s to 10 s; 10 keep-alive clients GET / with 500 ms think (a new upstream connection per ' +
      'request): which requests time out reading in the accept queue, which connecting, what the queue of dead ' +
      'connections does to the later connects, what is answered after the SIGCONT.',
    nginx: { ...base.nginx, proxyConnectTimeout: connectTimeout, proxyReadTimeout: readTimeout },
    summarise,
  };
}

/**
 * One upstream block (`keepalive 4`) shared by 8 keep-alive clients (GET /pool0/slow 300 ms,
 * think 200 ms, opened 5 ms apart: 8 requests at once, 4 on cached connections, 4 new), node
 * (backlog 2) frozen from 4.15 s (the 8 requests of the cycle sent at ≈ 4.02 s in flight) to 10 s,
 * proxy_read_timeout 1s and proxy_connect_timeout 2s in the pool's location.
 */
function upstreamKeepaliveFrozen({ name }) {
  const base = upstreamPoolsExperiment({
    name,
    description:
      'upstream keepalive 4 shared by 8 keep-alive clients (GET /slow 300 ms, think 200 ms), proxy_read_timeout 1s, ' +
      'proxy_connect_timeout 2s; node (listen backlog 2) frozen by kill -STOP from 4.15 s (8 requests in flight) to ' +
      '10 s: read timeouts on the cached and queued connections, connect timeouts behind the full queue, upstream ' +
      'connections opened.',
    seconds: 16,
    keepalive: 4,
    groups: [['busy', 'GET', 8, 200, true, 300]],
  });
  return {
    ...base,
    backendBacklog: 2,
    nginx: {
      ...base.nginx,
      keepaliveTimeout: '60s',
      proxyReadTimeout: '1s',
      proxyConnectTimeout: '2s',
      poolTimeouts: true,
    },
    actions: [
      { atMs: 4150, backend: 'STOP' },
      { atMs: 10_000, backend: 'CONT' },
    ],
    summarise,
  };
}

export const HOLDOUT13_EXPERIMENTS = [
  // Busy clients (GET /slow 300 ms, think 100 ms): at the QUIT (≈ 5.22 s) about 15 have a request
  // in flight (answered `Connection: close` by 5.52 s) and 5 think (closed at once).
  reloadKeepaliveRequests({
    name: 'nginx-holdout13-reload-kr5-slow300',
    description:
      'keepalive_requests 5, keepalive_timeout 60s, 20 keep-alive clients (GET /slow 300 ms, think 100 ms, keepDue) ' +
      'from 50 ms, 20 ms apart; nginx -s reload at 5.12 s: which connections the QUIT closes, which end with ' +
      '`Connection: close`, when the new worker’s keepalive_requests closes come.',
    path: '/slow?ms=300',
    thinkMs: 100,
  }),
  // Idle clients (GET / answered at once, think 400 ms): every connection is idle at the QUIT.
  reloadKeepaliveRequests({
    name: 'nginx-holdout13-reload-kr5-think400',
    description:
      'keepalive_requests 5, keepalive_timeout 60s, 20 keep-alive clients (GET /, think 400 ms, keepDue) from 50 ms, ' +
      '20 ms apart; nginx -s reload at 5.12 s: the QUIT closes the idle connections, when the new worker’s ' +
      'keepalive_requests closes come.',
    path: '/',
    thinkMs: 400,
  }),
  frozenQueue({ name: 'nginx-holdout13-frozen-backlog2-ct2-rt1', connectTimeout: '2s', readTimeout: '1s' }),
  frozenQueue({ name: 'nginx-holdout13-frozen-backlog2-ct500ms-rt3', connectTimeout: '500ms', readTimeout: '3s' }),
  upstreamKeepaliveFrozen({ name: 'nginx-holdout13-upstream-ka4-frozen-ct2-rt1' }),
];

/**
 * Second batch (13B, predicted after the first batch was recorded): the kernel under nginx's
 * upstream connects. One upstream block with `keepalive 4; keepalive_requests 1`: nginx sends each
 * request kept-alive (`Connection ""`, so node keeps the connection) and, its one request done,
 * closes the connection itself (ngx_http_upstream_free_keepalive_peer: c->requests >= requests →
 * not cached, closed): nginx holds every TIME_WAIT, a new local port per request. 20 keep-alive
 * clients (GET /pool0/, think 100 ms, opened 5 ms apart: ≈ 200 requests a second) from 0 s to
 * 8 s, in a namespace whose ip_local_port_range has 100 ports (40000-40099). With tcp_tw_reuse 0
 * connect() finds no port once 100 are in TIME_WAIT (__inet_hash_connect: EADDRNOTAVAIL; nginx
 * logs `connect() ... failed (99: Cannot assign requested address)` and answers 502); with 2
 * (loopback) it takes over a TIME_WAIT older than tcp_tw_reuse_delay (1000 ms, tcp_twsk_unique).
 */
function upstreamPortsExperiment({ name, twReuse }) {
  return {
    name,
    description:
      `upstream keepalive 4 with keepalive_requests 1 (nginx closes each upstream connection after its request), ` +
      `ip_local_port_range 40000 40099, tcp_tw_reuse ${twReuse}: 20 keep-alive clients GET /pool0/ with 100 ms think ` +
      '(≈ 200 connects a second): which requests get 502 for want of a local port.',
    seconds: 10,
    sysctls: {
      'net.ipv4.ip_local_port_range': '40000 40099',
      'net.ipv4.tcp_tw_reuse': twReuse,
    },
    nginx: {
      keepaliveTimeout: '60s',
      pools: { count: 1, keepalive: 4, timeout: '60s', requests: 1 },
    },
    client: {
      endMs: 8500,
      groups: [
        {
          kind: 'loop',
          group: 'ports',
          conns: 20,
          thinkMs: 100,
          path: '/pool0/',
          startMs: 0,
          staggerMs: 5,
          stopMs: 8000,
        },
      ],
    },
    summarise,
  };
}

export const HOLDOUT13B_EXPERIMENTS = [
  upstreamPortsExperiment({ name: 'nginx-holdout13b-upstream-kr1-ports100-twreuse0', twReuse: 0 }),
  upstreamPortsExperiment({ name: 'nginx-holdout13b-upstream-kr1-ports100-twreuse2', twReuse: 2 }),
];
