// Held-out nginx experiments, round 3 (session 14): parameter combinations never recorded, each
// restated FIRST as a drainsim twin (calibration/scenarios/nginx-holdout3-*.yaml, prediction in
// calibration/data/nginx-holdout3-predictions.json) and only then recorded and compared
// (test/calibration/nginx-holdout3.test.ts). Bounded like the others: ≤ 20 s each, one namespace.
import { reloadKeepaliveExperiment } from './experiments.mjs';

const r3 = (x) => (x == null ? null : Math.round(x * 1000) / 1000);
const tally = (xs, key) =>
  xs.reduce((m, x) => {
    m[key(x)] = (m[key(x)] ?? 0) + 1;
    return m;
  }, {});
const errorLog = (data) =>
  Object.fromEntries(Object.entries(data.errorLogCounts).filter(([k]) => !k.startsWith('[notice]')));
const poolOf = (path) => Number(/^\/pool(\d+)\//.exec(path)?.[1] ?? -1);

/**
 * nginx → node over upstream keepalive: `pools` upstream blocks (`keepalive K; keepalive_timeout
 * T; keepalive_requests R`), groups of client connections in closed loops. Each group is
 * [name, method, conns, thinkMs, shared?, slowMs?]: without `shared` every connection has its own
 * upstream block (independent caches), with it the whole group uses pool<first> (one cache, many
 * concurrent requests). The backend closes connections idle for backendKeepAliveMs + 1 s (node 20).
 * Per group: requests and statuses, and the upstream connections it made (the backend's first
 * request on each connection names the pool).
 */
export function upstreamPoolsExperiment({
  name,
  description,
  seconds = 20,
  backendKeepAliveMs = 0,
  keepalive = 2,
  timeout = '60s',
  requests = null,
  time = null,
  workers = 1,
  reuseport = false,
  groups,
}) {
  const stopMs = (seconds - 4) * 1000;
  let next = 0;
  const specs = groups.map(([group, method, conns, thinkMs, shared = false, slowMs = 0]) => {
    const first = next;
    next += shared ? 1 : conns;
    const tail = slowMs > 0 ? `slow?ms=${slowMs}` : '';
    return {
      kind: 'loop',
      group,
      method,
      conns,
      thinkMs,
      path: shared ? `/pool${first}/${tail}` : `/pool{c}/${tail}`,
      pathOffset: first,
      pools: [first, next],
      startMs: 0,
      staggerMs: shared ? 5 : 37,
      stopMs,
    };
  });
  return {
    name,
    description,
    seconds,
    backendKeepAliveMs,
    nginx: {
      workers,
      reuseport,
      pools: { count: next, keepalive, timeout, requests, ...(time === null ? {} : { time }) },
    },
    client: { endMs: stopMs + 500, groups: specs },
    summarise: (data) => {
      const firsts = data.backendEvents.filter((e) => e.ev === 'up-first');
      const out = {};
      for (const g of data.config.client.groups) {
        const reqs = data.clientEvents.filter((e) => e.ev === 'req' && e.g === g.group && e.out !== 'client-closed');
        const [lo, hi] = g.pools;
        out[g.group] = {
          method: g.method,
          thinkMs: g.thinkMs,
          requests: reqs.length,
          statuses: tally(reqs, (e) => (e.out === 'ok' ? String(e.status) : e.out)),
          upstreamConnections: firsts.filter((e) => poolOf(e.path) >= lo && poolOf(e.path) < hi).length,
          clientClosesByNginx: data.clientEvents.filter(
            (e) => e.ev === 'conn-close' && e.g === g.group && e.how !== 'client-closed',
          ).length,
        };
      }
      // Idle upstream connections nginx kept once the clients stopped (the last socket sample),
      // by worker pid; and which worker served how many requests (access log $pid).
      const after = data.sockets.filter((s) => s.s > stopMs / 1000 + 1);
      const last = after[after.length - 1] ?? null;
      return {
        groups: out,
        backendConnections: data.backendEvents.filter((e) => e.ev === 'up-conn').length,
        backendIdleCloses: data.backendEvents.filter((e) => e.ev === 'up-idle-close').length,
        idleUpstreamAfterStop: last ? { s: last.s, total: last.upstreamEstab, byPid: last.upstreamByPid } : null,
        requestsPerWorker: Object.fromEntries(
          Object.entries(data.accessLogSummary).map(([pid, p]) => [pid, p.requests]),
        ),
        errorLog: errorLog(data),
        scheduling: data.stamp.scheduling?.requested ?? 'default',
      };
    },
  };
}

/**
 * Client side: keepalive_timeout and keepalive_requests together. Groups [name, conns, thinkMs]
 * of keep-alive connections (GET /); per group: requests, Connection: close answers (by request
 * number), connections nginx closed while idle (its keepalive timer) or after a last answer.
 */
export function clientKeepaliveExperiment({ name, seconds = 16, keepaliveTimeout, keepaliveRequests, groups }) {
  const stopMs = (seconds - 2) * 1000;
  return {
    name,
    description:
      `keepalive_timeout ${keepaliveTimeout}, keepalive_requests ${keepaliveRequests}: ` +
      `${groups.map(([g, n, t]) => `${n} connections think ${t} ms (${g})`).join(', ')}; ` +
      'which answers carry Connection: close, how nginx closes connections, any failure.',
    seconds,
    nginx: { keepaliveTimeout, keepaliveRequests },
    client: {
      endMs: (seconds - 1) * 1000,
      groups: groups.map(([group, conns, thinkMs]) => ({
        kind: 'loop',
        group,
        conns,
        thinkMs,
        path: '/',
        startMs: 0,
        staggerMs: Math.max(1, Math.round(Math.min(thinkMs, 1000) / conns)),
        stopMs,
      })),
    },
    summarise: (data) => {
      const out = {};
      for (const g of data.config.client.groups) {
        const reqs = data.clientEvents.filter((e) => e.ev === 'req' && e.g === g.group && e.out !== 'client-closed');
        const closes = data.clientEvents.filter(
          (e) => e.ev === 'conn-close' && e.g === g.group && e.how !== 'client-closed',
        );
        const lastAnswers = reqs.filter((e) => e.conn?.toLowerCase() === 'close');
        out[g.group] = {
          thinkMs: g.thinkMs,
          requests: reqs.length,
          requestRate: r3(reqs.length / (stopMs / 1000)),
          failed: tally(
            reqs.filter((e) => e.out !== 'ok'),
            (e) => e.out,
          ),
          connectionCloseAnswers: lastAnswers.length,
          connectionCloseAtRequest: tally(lastAnswers, (e) => e.n),
          closedIdleByNginx: closes.filter((e) => e.idle).length,
          closedAfterLastAnswer: closes.filter((e) => !e.idle).length,
          connectionsOpened: g.conns + closes.length,
        };
      }
      return { groups: out, errorLog: errorLog(data), scheduling: data.stamp.scheduling?.requested ?? 'default' };
    },
  };
}

/**
 * e. proxy_connect_timeout against an app whose accept queue is full: node listening with backlog
 * 2 is frozen (kill -STOP) from 4 s to 10 s while 10 keep-alive clients GET / every 500 ms (nginx
 * opens a new upstream connection per request). The kernel handshakes backlog + 1 connections
 * into the frozen app's accept queue (their requests wait for the SIGCONT), drops every further
 * SYN (tcp_conn_request: sk_acceptq_is_full), and nginx gives up at proxy_connect_timeout 2s: 504.
 */
export function connectTimeoutExperiment({ name, seconds = 16, backlog = 2, stopMs = 4000, contMs = 10000 }) {
  const clientsStopMs = (seconds - 2) * 1000;
  return {
    name,
    description:
      `proxy_connect_timeout 2s; node (listen backlog ${backlog}) frozen by kill -STOP from ${stopMs / 1000} s to ` +
      `${contMs / 1000} s; 10 keep-alive clients GET / with 500 ms think (a new upstream connection per ` +
      'request): which requests wait in the accept queue, which get 504 and after how long.',
    seconds,
    backendBacklog: backlog,
    nginx: { keepaliveTimeout: '60s', proxyConnectTimeout: '2s' },
    client: {
      endMs: (seconds - 1) * 1000,
      groups: [
        {
          kind: 'loop',
          group: 'busy',
          conns: 10,
          thinkMs: 500,
          path: '/',
          startMs: 0,
          staggerMs: 50,
          stopMs: clientsStopMs,
        },
      ],
    },
    actions: [
      { atMs: stopMs, backend: 'STOP' },
      { atMs: contMs, backend: 'CONT' },
    ],
    summarise: (data) => {
      const at = (what) => data.actions.find((a) => a.signal === `backend ${what}`)?.s ?? null;
      const [stopS, contS] = [at('STOP'), at('CONT')];
      const reqs = data.clientEvents.filter((e) => e.ev === 'req' && e.out !== 'client-closed');
      const lat = (e) => r3(e.s - e.sentS);
      const spreadOf = (xs) => {
        const v = [...xs].sort((a, b) => a - b);
        return v.length ? { n: v.length, min: v[0], median: v[Math.floor(v.length / 2)], max: v[v.length - 1] } : null;
      };
      const during = reqs.filter((e) => e.sentS >= stopS && e.sentS < contS);
      const g504 = reqs.filter((e) => e.status === 504);
      // Answered 200 but held more than 1 s: waited in the frozen app's accept queue (or in node).
      const parked = reqs.filter((e) => e.status === 200 && e.s - e.sentS > 1);
      return {
        stopS,
        contS,
        requests: reqs.length,
        statuses: tally(reqs, (e) => (e.out === 'ok' ? String(e.status) : e.out)),
        sentWhileStopped: during.length,
        sentWhileStoppedStatuses: tally(during, (e) => (e.out === 'ok' ? String(e.status) : e.out)),
        gatewayTimeouts: g504.length,
        gatewayTimeoutLatencyS: spreadOf(g504.map(lat)),
        first504S: g504.length ? Math.min(...g504.map((e) => e.s)) : null,
        last504S: g504.length ? Math.max(...g504.map((e) => e.s)) : null,
        parked: parked.map((e) => ({ sentS: e.sentS, s: e.s })),
        connectionCloses: data.clientEvents.filter((e) => e.ev === 'conn-close' && e.how !== 'client-closed').length,
        backendConnectionsAfterCont: data.backendEvents.filter((e) => e.ev === 'up-conn' && e.s >= contS).length,
        errorLog: errorLog(data),
        scheduling: data.stamp.scheduling?.requested ?? 'default',
      };
    },
  };
}

/** Groups of `conns` connections for each think time, a GET group and a POST group each. */
export const getAndPost = (conns, ...thinks) =>
  thinks.flatMap((t) => [
    [`get-${t}`, 'GET', conns, t],
    [`post-${t}`, 'POST', conns, t],
  ]);

export const HOLDOUT3_EXPERIMENTS = [
  // a. nginx's upstream keepalive_timeout (1500 ms) below node's idle close (3 s + 1 s): nginx
  // closes first, so a think of 2.5 s finds no cached connection (a new one per request, no race);
  // 1 s reuses one connection throughout. GET and POST alike.
  upstreamPoolsExperiment({
    name: 'nginx-holdout3-upstream-nginx-first',
    description:
      'upstream keepalive 2, keepalive_timeout 1500ms; node keepAliveTimeout 3000 (closes idle after 4 s); ' +
      'one client connection per upstream block, GET and POST, think 1000 ms and 2500 ms: upstream ' +
      'connections made, statuses.',
    backendKeepAliveMs: 3000,
    timeout: '1500ms',
    groups: getAndPost(5, 1000, 2500),
  }),
  // a. The other order: node closes idle connections after 1 s + 1 s, nginx would keep them 60 s.
  // Think 1.5 s reuses; think 2.5 s finds the app's FIN already in (the close handler dropped the
  // connection): a new connection per request, no 502 — off the tie.
  upstreamPoolsExperiment({
    name: 'nginx-holdout3-upstream-app-first',
    description:
      'upstream keepalive 2, keepalive_timeout 60s; node keepAliveTimeout 1000 (closes idle after 2 s); ' +
      'one client connection per upstream block, GET and POST, think 1500 ms and 2500 ms: upstream ' +
      'connections made, statuses.',
    backendKeepAliveMs: 1000,
    groups: getAndPost(5, 1500, 2500),
  }),
  // a. keepalive_requests 3 on the upstream side: nginx closes a cached connection after its 3rd
  // request (ngx_http_upstream_free_keepalive_peer: c->requests >= requests → invalid).
  upstreamPoolsExperiment({
    name: 'nginx-holdout3-upstream-requests3',
    description:
      'upstream keepalive 2, keepalive_requests 3 (node never closes idle connections); one client ' +
      'connection per upstream block, GET and POST, think 200 ms: upstream connections per request.',
    requests: 3,
    groups: [
      ['get', 'GET', 5, 200],
      ['post', 'POST', 5, 200],
    ],
  }),
  // b. worker_processes 2, one upstream block with keepalive 3 shared by 24 concurrent client
  // connections (GET /slow 200 ms, think 100 ms): how many upstream connections nginx opens and how
  // many idle ones it keeps, per worker. Without reuseport (one listening socket, EPOLLEXCLUSIVE)
  // and with it (one socket per worker, the kernel hashes connections over them).
  upstreamPoolsExperiment({
    name: 'nginx-holdout3-workers2-keepalive3',
    description:
      'worker_processes 2, one upstream block with keepalive 3 shared by 24 client connections ' +
      '(GET /slow 200 ms, think 100 ms, 12 s): upstream connections opened, idle ones kept after the ' +
      'clients stop, by worker.',
    seconds: 16,
    workers: 2,
    keepalive: 3,
    groups: [['busy', 'GET', 24, 100, true, 200]],
  }),
  upstreamPoolsExperiment({
    name: 'nginx-holdout3-workers2-keepalive3-reuseport',
    description:
      'As nginx-holdout3-workers2-keepalive3 with `listen … reuseport`: each worker its own listening ' +
      'socket, the kernel spreads the 24 client connections over both.',
    seconds: 16,
    workers: 2,
    reuseport: true,
    keepalive: 3,
    groups: [['busy', 'GET', 24, 100, true, 200]],
  }),
  // c. keepalive_timeout 3s with keepalive_requests 7: 40 connections thinking 400 ms (every 7th
  // answer says Connection: close), 10 thinking 3.3 s (nginx's timer closes them first).
  clientKeepaliveExperiment({
    name: 'nginx-holdout3-client-ka3-kr7',
    keepaliveTimeout: '3s',
    keepaliveRequests: 7,
    groups: [
      ['fast', 40, 400],
      ['slow', 10, 3300],
    ],
  }),
  // d. nginx -s quit with worker_shutdown_timeout 1500ms while 30 connections have 2.5-s requests
  // in flight (think 150 ms) and 60 idle ones: the idle ones close at once, the in-flight ones
  // answered (Connection: close) if done within 1.5 s, cut (EOF) at quit + 1.5 s otherwise.
  reloadKeepaliveExperiment({
    name: 'nginx-holdout3-quit-wst1500',
    signal: 'quit',
    seconds: 14,
    idleConns: 60,
    idleStaggerMs: 25,
    busyConns: 30,
    busyStaggerMs: 83,
    busyThinkMs: 150,
    slowMs: 2500,
    workerShutdownTimeout: '1500ms',
  }),
  // e. Second batch (twin written before this was recorded, too).
  connectTimeoutExperiment({ name: 'nginx-holdout3-connect-timeout-stopped-app' }),
];
