// Held-out nginx runs, round 19 (session 26, hold19). First (wsUpgradeRun) session 21's rule that a WebSocket upgrade
// takes an idle connection from its nginx worker's upstream keep-alive cache, as any request does
// (7ce2fef): nginx 1.22.1 ngx_http_upstream_get_keepalive_peer
// (src/http/modules/ngx_http_upstream_keepalive_module.c) hands the upgrade a cached connection
// (pc->cached, NGX_DONE: no connect, no SYN to the app), and its 101 clears u->keepalive
// (ngx_http_proxy_process_header), so at the tunnel's end ngx_http_upstream_free_keepalive_peer
// drops it: the next plain request finds the cache empty and connects anew. The model before it
// (7ce2fef^) opened a new upstream connection for every upgrade.
//
// One client connection in a closed loop (GET /pool0/, answered at once, think 1 s, 9 requests at
// ≈ 0, 1, …, 8 s) and two upgrades (GET /pool0/ws, Upgrade: websocket) at 3.5 s and 6.5 s, each
// closed by the client 1 s later; one worker, `keepalive 8`. The backend (backend.mjs) logs each
// connection it accepts (up-conn) and each tunnel (up-open / up-close). The control runs the same
// client through `location /` (no upstream keepalive, `Connection: close` for plain requests):
// every request and upgrade connects in both models.
// Twins calibration/scenarios/nginx-holdout19-*.yaml, predictions
// calibration/data/holdout19-predictions.json (with the old model's figures), committed before the
// runs were recorded; the comparison is test/calibration/holdout19.test.ts.
//
// Then (wc500Run) 8cf91a5: nginx's own 500 for want of a worker connection closes the client
// connection behind it.
//
//   flock /work/wt/calib.lock node calibration/nginx/run.mjs --only nginx-holdout19 --rt 10

/** The upgrades: at 3.5 s and 6.5 s, each closed by the client (FIN) 1 s later. */
const tunnels = (path) =>
  [
    ['a', 3500],
    ['b', 6500],
  ].map(([id, startMs]) => ({
    kind: 'tunnel',
    id,
    mode: 'idle',
    intervalMs: 0,
    startMs,
    closeAtMs: startMs + 1000,
    path,
  }));

const wsUpgradeRun = ({ name, keepalive }) => {
  const path = keepalive ? '/pool0/' : '/';
  return {
    name,
    description:
      `worker_processes 1, ${keepalive ? 'upstream keepalive 8 (keepalive_timeout 60s)' : 'no upstream keepalive'}: ` +
      `one keep-alive client connection looping GET ${path} (think 1000 ms, 9 requests) and two WebSocket upgrades ` +
      `(GET ${path}ws) at 3.5 s and 6.5 s, each closed by the client 1 s later: when the app accepts upstream ` +
      'connections (does an upgrade take the cached one?).',
    seconds: 10,
    nginx: keepalive
      ? { workers: 1, pools: { count: 1, keepalive: 8, timeout: '60s', upgrade: true } }
      : { workers: 1 },
    client: {
      endMs: 9500,
      groups: [
        { kind: 'loop', group: 'http', conns: 1, thinkMs: 1000, path, startMs: 0, staggerMs: 0, stopMs: 9000 },
        ...tunnels(path),
      ],
    },
    summarise: (data) => {
      const ev = (kind) => data.backendEvents.filter((e) => e.ev === kind).map((e) => e.s);
      const reqs = data.clientEvents.filter((e) => e.ev === 'req');
      return {
        upstreamConnects: ev('up-conn'),
        tunnelsOpened: ev('up-open'),
        requests: reqs.map((e) => [e.sentS, e.s, e.out === 'ok' ? e.status : e.out]),
        tunnels: data.clientEvents.filter((e) => e.ev === 'tun-open' || e.ev === 'tun-close'),
      };
    },
  };
};

/**
 * 8cf91a5: nginx's own 500 — an upstream connect with no connection free in its worker
 * (src/event/ngx_event_connect.c ngx_event_connect_peer: ngx_get_connection NULL, NGX_ERROR;
 * src/http/ngx_http_upstream.c ngx_http_upstream_connect → 500) — ends keep-alive
 * (src/http/ngx_http_special_response.c ngx_http_special_response_handler clears r->keepalive for
 * 500) and nginx closes the client connection behind it (src/http/ngx_http_request.c
 * ngx_http_finalize_connection). The model before it (8cf91a5^) kept the connection open.
 * `worker_connections 11`, one worker: its listening socket and channel take 2; 5 keep-alive clients
 * 5 ms apart each send GET /slow?ms=5000: the first 4 hold 8 (client and upstream) until ≈ 5 s, the
 * 5th takes the last one at its accept and its upstream connect finds none (the 4 in flight are not
 * reusable: ngx_drain_connections closes nothing). Its client sends the next request 500 ms after
 * each answer (think 500 ms) on a new connection when nginx closed the old one (keepDue: replaced at
 * once, the planned time kept), nothing after 5 s (stopMs).
 */
const wc500Run = {
  name: 'nginx-holdout19-wc11-500-close',
  description:
    'worker_connections 11, worker_processes 1 (one listening socket): 5 keep-alive clients 5 ms apart looping GET ' +
    "/slow?ms=5000 (think 500 ms, nothing sent after 5 s): the 5th's upstream connect finds no connection free: " +
    "nginx's 500s, whether nginx closes the connection behind each, the client's next request on a new one.",
  seconds: 7,
  nginx: { workers: 1, workerConnections: 11, keepaliveTimeout: '75s' },
  client: {
    endMs: 6500,
    groups: [
      {
        kind: 'loop',
        group: 'wc',
        conns: 5,
        thinkMs: 500,
        path: '/slow?ms=5000',
        startMs: 0,
        staggerMs: 5,
        stopMs: 5000,
        keepDue: true,
      },
    ],
  },
  summarise: (data) => {
    const reqs = data.clientEvents.filter((e) => e.ev === 'req');
    return {
      requests: reqs.map((e) => [e.c, e.sentS, e.s, e.out === 'ok' ? e.status : e.out, e.conn]),
      connCloses: data.clientEvents.filter((e) => e.ev === 'conn-close').map((e) => [e.c, e.s, e.how, e.n]),
      errorLog: Object.fromEntries(Object.entries(data.errorLogCounts).filter(([k]) => !k.startsWith('[notice]'))),
    };
  },
};

export const HOLDOUT19_EXPERIMENTS = [
  wsUpgradeRun({ name: 'nginx-holdout19-ws-upgrade-cached-ka8', keepalive: true }),
  wsUpgradeRun({ name: 'nginx-holdout19-ws-upgrade-noka-control', keepalive: false }),
  wc500Run,
];
