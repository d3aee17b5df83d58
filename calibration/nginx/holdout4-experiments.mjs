// Held-out nginx experiments, round 4 (session 16): combinations never recorded, each restated
// FIRST as a drainsim twin (calibration/scenarios/nginx-holdout4-*.yaml, prediction in
// calibration/data/nginx-holdout4-predictions.json) and only then recorded and compared
// (test/calibration/nginx-holdout4.test.ts). Built from the earlier rounds' experiments (their
// groups, actions and summaries), bounded like them: ≤ 20 s each, one namespace.
import { generations, idleGroup, reloadKeepaliveExperiment, tunnelSummary } from './experiments.mjs';
import { readTimeoutExperiment, slowLoopGroup } from './holdout-experiments.mjs';
import { getAndPost, upstreamPoolsExperiment } from './holdout3-experiments.mjs';

const tally = (xs, key) =>
  xs.reduce((m, x) => {
    m[key(x)] = (m[key(x)] ?? 0) + 1;
    return m;
  }, {});
const label = (e) => `${e.out === 'ok' ? e.status : e.out}${e.conn?.toLowerCase() === 'close' ? '+close' : ''}`;
const maxShuttingDown = (data) => Math.max(0, ...data.processSamples.map((p) => p.shuttingDown));

/** A client tunnel with a 1-s heartbeat from `startMs`, closed by its client at `closeAtMs`. */
const heartbeatTunnel = (id, startMs, closeAtMs) => ({
  kind: 'tunnel',
  id,
  mode: 'client',
  intervalMs: 1000,
  startMs,
  closeAtMs,
});

/**
 * d. Two reloads 1 s apart, both within worker_shutdown_timeout 2s, while keep-alive clients have
 * 2.5-s requests in flight and a WebSocket tunnel is open in each of the first two generations.
 * Each generation's shutdown timer starts at its first QUIT (ngx_worker_process_cycle, under
 * `if (!ngx_exiting)`: ngx_set_shutdown_timer): generation 1 at ≈ 5.1 s, generation 2 (which the
 * busy clients' replacement connections reach) at ≈ 6.1 s. A request in flight at its generation's
 * QUIT is answered `Connection: close` if the backend answers within 2 s, cut (EOF) by
 * ngx_shutdown_timer_handler otherwise; each tunnel is cut at its generation's QUIT + 2 s.
 */
export function reloadTwiceExperiment({ name, seconds = 14, firstMs = 5000, secondMs = 6000, wst = '2s' }) {
  const base = reloadKeepaliveExperiment({
    name,
    seconds,
    reloadAtMs: firstMs,
    idleConns: 40,
    idleStaggerMs: 25,
    busyConns: 16,
    busyStaggerMs: 60,
    busyThinkMs: 200,
    slowMs: 2500,
    workers: 1,
    workerShutdownTimeout: wst,
  });
  return {
    ...base,
    description:
      `nginx -s reload at ${firstMs / 1000} s and ${secondMs / 1000} s with worker_shutdown_timeout ${wst}, ` +
      'worker_processes 1: 40 idle keep-alive connections, 16 busy ones (GET /slow 2500 ms, think 200 ms), ' +
      'tunnel A (0 s) and B (5.5 s) with a 1-s client heartbeat: which requests are answered ' +
      'Connection: close or cut, when each tunnel and generation ends.',
    nginx: { ...base.nginx, proxyReadTimeout: '60s' },
    client: {
      ...base.client,
      groups: [
        ...base.client.groups,
        heartbeatTunnel('A', 0, (seconds - 1) * 1000),
        heartbeatTunnel('B', 5500, (seconds - 1) * 1000),
      ],
    },
    actions: [
      { atMs: firstMs, signal: 'reload' },
      { atMs: secondMs, signal: 'reload' },
    ],
    summarise: (data) => {
      const busy = data.clientEvents.filter((e) => e.ev === 'req' && e.g === 'busy' && e.out !== 'client-closed');
      const cut = busy.filter((e) => e.out !== 'ok');
      return {
        ...base.summarise(data),
        signals: data.actions,
        busyStatuses: tally(busy, label),
        // When the cut requests ended (the shutdown timers), to 0.1 s.
        busyCutAtS: tally(cut, (e) => (Math.round(e.s * 10) / 10).toFixed(1)),
        tunnels: tunnelSummary(data),
        maxWorkersShuttingDown: maxShuttingDown(data),
      };
    },
  };
}

/**
 * e. proxy_read_timeout 2s and `nginx -s quit` at 6 s: 10 keep-alive connections whose requests
 * take the backend 1.2 s (`fast`, answered), 10 whose take 3 s (`slow`: 504 at 2 s,
 * ngx_http_upstream_process_header → ngx_http_upstream_next(FT_TIMEOUT)), think 300 ms. A request
 * in flight at the quit is still timed by its read timer (not cancelable: the worker waits for it,
 * ngx_event_no_timers_left); its answer — 200 or 504 — carries `Connection: close`
 * (ngx_http_header_filter: ngx_exiting), then the connection closes and, nothing listening, the
 * client's reconnects are refused. nginx exits after the last answer (≤ quit + 2 s).
 */
export function quitReadTimeoutExperiment({ name, seconds = 12, quitMs = 6000 }) {
  const base = readTimeoutExperiment(seconds);
  const stopMs = (seconds - 2) * 1000;
  const group = (g, ms) => slowLoopGroup(g, ms, 300, stopMs);
  return {
    ...base,
    name,
    description:
      'proxy_read_timeout 2s, nginx -s quit at 6 s; 10 keep-alive connections GET /slow 1200 ms, 10 GET /slow ' +
      '3000 ms, think 300 ms: statuses, which carry Connection: close, when nginx exits, refused reconnects.',
    nginx: { proxyReadTimeout: '2s', keepaliveTimeout: '60s' },
    client: { endMs: (seconds - 1) * 1000, groups: [group('fast', 1200), group('slow', 3000)] },
    actions: [{ atMs: quitMs, signal: 'quit' }],
    summarise: (data) => {
      const quitS = data.actions[0]?.s ?? quitMs / 1000;
      const reqs = data.clientEvents.filter((e) => e.ev === 'req' && e.out !== 'client-closed');
      const out = {};
      for (const g of ['fast', 'slow']) {
        const mine = reqs.filter((e) => e.g === g);
        const inFlight = mine.filter((e) => e.sentS < quitS && e.s >= quitS);
        out[g] = {
          requests: mine.length,
          statuses: tally(mine, label),
          inFlightAtQuit: inFlight.length,
          inFlightStatuses: tally(inFlight, label),
          lastAnswerS: inFlight.length ? Math.max(...inFlight.map((e) => e.s)) : null,
        };
      }
      const fails = data.clientEvents.filter((e) => e.ev === 'connect-fail');
      return {
        ...base.summarise(data),
        quitS,
        byGroup: out,
        masterExitedS: data.masterExitedS,
        generations: generations(data),
        connectFailures: tally(fails, (e) => e.how),
        firstConnectFailureS: fails[0]?.s ?? null,
      };
    },
  };
}

/**
 * c. The upstream keep-alive timers at a tie: nginx's upstream keepalive_timeout 2s and node's
 * idle close at 2 s (keepAliveTimeout 1000 + node 20's 1-s buffer). One upstream block per client
 * connection; GET and POST, thinks 1990 / 2000 / 2010 ms. Below the tie the cached connection is
 * reused; above it both timers have fired (a new connection each time); at the tie a request may
 * cross the app's FIN — retried if GET (u->peer.cached, ngx_http_upstream_next), 502 if POST.
 */
export function upstreamTieExperiment({ name }) {
  return upstreamPoolsExperiment({
    name,
    description:
      'upstream keepalive 2, keepalive_timeout 2s; node keepAliveTimeout 1000 (closes idle after 2 s): the ' +
      'same idle timeout on both ends; one client connection per upstream block, GET and POST, think ' +
      '1990 / 2000 / 2010 ms: upstream connections made, statuses, error.log.',
    backendKeepAliveMs: 1000,
    timeout: '2s',
    groups: getAndPost(4, 1990, 2000, 2010),
  });
}

/**
 * c × d. An upstream keepalive cache across a reload: one block (`keepalive 4`) shared by 8
 * client connections (GET /slow 300 ms, think 100 ms), `nginx -s reload` at 6 s. The old worker
 * closes its cached (idle) upstream connections at the QUIT (ngx_close_idle_connections: c->idle),
 * caches none of those still busy (ngx_http_upstream_free_keepalive_peer: ngx_exiting), and the new
 * worker opens its own: upstream connections made before and after the reload.
 */
export function upstreamReloadExperiment({ name, seconds = 14, reloadMs = 6000 }) {
  const base = upstreamPoolsExperiment({
    name,
    description:
      'upstream keepalive 4 shared by 8 keep-alive client connections (GET /slow 300 ms, think 100 ms), ' +
      'worker_processes 1, nginx -s reload at 6 s: upstream connections opened before and after the ' +
      'reload, idle ones kept, statuses.',
    seconds,
    keepalive: 4,
    groups: [['busy', 'GET', 8, 100, true, 300]],
  });
  return {
    ...base,
    actions: [{ atMs: reloadMs, signal: 'reload' }],
    summarise: (data) => {
      const reloadS = data.actions[0]?.s ?? reloadMs / 1000;
      const conns = data.backendEvents.filter((e) => e.ev === 'up-conn');
      const reqs = data.clientEvents.filter((e) => e.ev === 'req' && e.out !== 'client-closed');
      return {
        ...base.summarise(data),
        reloadS,
        upstreamConnectsBeforeReload: conns.filter((e) => e.s < reloadS).length,
        upstreamConnectsAfterReload: conns.filter((e) => e.s >= reloadS).length,
        upstreamClosesAfterReload: data.backendEvents.filter((e) => e.ev === 'up-idle-close' && e.s >= reloadS).length,
        statuses: tally(reqs, label),
        generations: generations(data),
      };
    },
  };
}

/**
 * b. worker_connections exhausted: `worker_connections 64` (each worker's connection array: its
 * listening socket and master channel, every client connection, every upstream connection). 40
 * idle keep-alive clients (one request each, from 0 s, 50 ms apart), then from 4 s a burst of 40
 * keep-alive clients (20 ms apart) in a closed loop (GET /slow 1000 ms, think 500 ms: two
 * connections each while a request is in flight). When a worker's free connections fall to
 * connection_n / 16, ngx_get_connection → ngx_drain_connections (src/core/ngx_connection.c) closes
 * the least recently idle keep-alive ("reusable") connections, max(min(32, reusable / 8), 1) per
 * call ("worker_connections are not enough, reusing connections"); with none left to reuse the
 * new socket is accepted and closed at once (ngx_event_accept: ngx_get_connection NULL →
 * ngx_close_socket; "worker_connections are not enough"), and an upstream connect finds no
 * connection (ngx_event_connect_peer → NGX_ERROR: 500). What each client sees, per worker.
 */
export function workerConnectionsExperiment({
  name,
  workers = 1,
  workerConnections = 64,
  seconds = 12,
  idleConns = 40,
  lazyReconnect = false,
}) {
  const burstAtMs = idleConns > 0 ? 4000 : 1000;
  return {
    name,
    description:
      `worker_connections ${workerConnections}, worker_processes ${workers} (one listening socket): ${idleConns} idle ` +
      `keep-alive clients from 0 s (50 ms apart), then 40 keep-alive clients from ${burstAtMs / 1000} s (20 ms apart) looping ` +
      'GET /slow 1000 ms with 500 ms think (a client dropped before any answer reconnects after 200 ms): which ' +
      'connections nginx closes to reuse them, which new ones it accepts and drops, which requests fail, per worker.',
    seconds,
    nginx: { workers, workerConnections, keepaliveTimeout: '60s' },
    client: {
      endMs: (seconds - 1) * 1000,
      groups: [
        ...(idleConns > 0 ? [idleGroup(idleConns, 50, 9000)] : []),
        {
          kind: 'loop',
          group: 'burst',
          conns: 40,
          thinkMs: 500,
          path: '/slow?ms=1000',
          startMs: burstAtMs,
          staggerMs: 20,
          // A client dropped right after connecting retries 200 ms later (as after a refusal), not
          // in a tight loop (which made 50,000 connects in 5 s).
          dropBackoffMs: 200,
          lazyReconnect,
          stopMs: (seconds - 3) * 1000,
        },
      ],
    },
    summarise: (data) => {
      const ev = (kind, g) => data.clientEvents.filter((e) => e.ev === kind && e.g === g);
      const closedByNginx = (g) => ev('conn-close', g).filter((e) => e.how !== 'client-closed');
      const idleCloses = closedByNginx('idle');
      const burstReqs = ev('req', 'burst').filter((e) => e.out !== 'client-closed');
      const times = (xs) => (xs.length ? { first: Math.min(...xs), last: Math.max(...xs) } : null);
      const peak = data.sockets.reduce((m, x) => (x.clientSideEstab > (m?.clientSideEstab ?? -1) ? x : m), null);
      return {
        idleClosedBeforeBurst: idleCloses.filter((e) => e.s < burstAtMs / 1000).length,
        idleClosedByNginx: idleCloses.length,
        idleCloseTimes: times(idleCloses.map((e) => e.s)),
        burstRequests: burstReqs.length,
        burstStatuses: tally(burstReqs, label),
        // A connection's first request failed without any answer: accepted and closed at once.
        burstFirstRequestFailed: burstReqs.filter((e) => e.n === 1 && e.out !== 'ok').length,
        burstClosedIdleByNginx: closedByNginx('burst').filter((e) => e.idle).length,
        burstConnectionsOpened: 40 + closedByNginx('burst').length,
        connectFailures: tally(
          data.clientEvents.filter((e) => e.ev === 'connect-fail'),
          (e) => e.how,
        ),
        peakClientConnections: peak ? { s: peak.s, total: peak.clientSideEstab, byPid: peak.clientByPid } : null,
        requestsPerWorker: Object.fromEntries(
          Object.entries(data.accessLogSummary).map(([pid, p]) => [
            pid,
            { requests: p.requests, statuses: p.statuses },
          ]),
        ),
        errorLog: Object.fromEntries(Object.entries(data.errorLogCounts).filter(([k]) => !k.startsWith('[notice]'))),
        scheduling: data.stamp.scheduling?.requested ?? 'default',
      };
    },
  };
}

/** Recorded after the first four (their twins and predictions committed before, too). */
export const HOLDOUT4_SECOND_BATCH = [
  workerConnectionsExperiment({ name: 'nginx-holdout4-worker-connections64' }),
  workerConnectionsExperiment({ name: 'nginx-holdout4-worker-connections64-workers2', workers: 2 }),
  // Third batch: the burst alone (one client population, which a drainsim twin can restate).
  workerConnectionsExperiment({ name: 'nginx-holdout4-wc64-burst', idleConns: 0 }),
  workerConnectionsExperiment({ name: 'nginx-holdout4-wc64-burst-workers2', workers: 2, idleConns: 0 }),
  // Fourth: the same burst with clients that reconnect only when their next request is due, as
  // drainsim's (and an HTTP client pool) do — the twin's prediction (6237080) is for those.
  workerConnectionsExperiment({ name: 'nginx-holdout4-wc64-lazy', idleConns: 0, lazyReconnect: true }),
];

export const HOLDOUT4_EXPERIMENTS = [
  reloadTwiceExperiment({ name: 'nginx-holdout4-reload2-wst2-busy-tunnel' }),
  quitReadTimeoutExperiment({ name: 'nginx-holdout4-quit-read-timeout2' }),
  upstreamTieExperiment({ name: 'nginx-holdout4-upstream-tie2s' }),
  upstreamReloadExperiment({ name: 'nginx-holdout4-upstream-reload' }),
  ...HOLDOUT4_SECOND_BATCH,
];
