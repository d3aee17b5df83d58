// The nginx calibration experiments (issue 13). Each runs a private nginx 1.22 in front of a node
// backend inside its own namespace, bounded by `seconds` (≤ 60); all of them take ≈ 4.5 min.
// Rates are modest on purpose: the machine is shared, and achieved timings are recorded.
import { TLS_RESUME_EXPERIMENTS } from './tls-resume.mjs';
import { TLS_STORM_EXPERIMENTS } from './tls-storm-experiments.mjs';

const r3 = (x) => (x == null ? null : Math.round(x * 1000) / 1000);
const events = (data, ev) => data.clientEvents.filter((e) => e.ev === ev);
const count = (xs, key) =>
  xs.reduce((m, x) => {
    m[key(x)] = (m[key(x)] ?? 0) + 1;
    return m;
  }, {});

/** When every tunnel opened and closed (client's view and the backend's), relative to its open. */
export function tunnelSummary(data) {
  const tunnels = {};
  for (const g of data.config.client.groups.filter((x) => x.kind === 'tunnel')) {
    const open = events(data, 'tun-open').find((e) => e.id === g.id);
    const close = events(data, 'tun-close').find((e) => e.id === g.id);
    const up = data.backendEvents.find((e) => e.ev === 'up-close' && e.id === g.id);
    tunnels[g.id] = {
      opened: Boolean(open),
      openedS: open?.s ?? null,
      closedS: close?.s ?? null,
      lifetimeS: open && close ? r3(close.s - open.s) : null,
      clientSaw: close?.how ?? null,
      backendSaw: up?.how ?? null,
      bytesToClient: close?.rx ?? null,
      bytesFromClient: close?.tx ?? null,
    };
  }
  return tunnels;
}

/** p5 / median / p95 / max of a list of numbers (ms), null if empty. */
function spread(xs) {
  if (!xs.length) return null;
  const v = [...xs].sort((a, b) => a - b);
  const q = (p) => r3(v[Math.min(v.length - 1, Math.floor(v.length * p))]);
  return { n: v.length, p5: q(0.05), median: q(0.5), p95: q(0.95), max: r3(v[v.length - 1]) };
}

/**
 * nginx's keepalive timer as the client saw it: for every idle connection nginx closed (EOF while
 * the client was thinking), the time from the response to the FIN, minus keepalive_timeout. It
 * includes the client's own delay in reading the FIN (both are lateness).
 */
function finLatenessMs(data, group, timeoutMs) {
  const last = new Map();
  const out = [];
  for (const e of data.clientEvents) {
    if (e.g !== group) continue;
    const key = `${e.c}`;
    if (e.ev === 'req' && e.out === 'ok') last.set(key, e.s);
    else if (e.ev === 'conn-close' && e.idle && e.how === 'eof' && last.has(key)) {
      out.push((e.s - last.get(key)) * 1000 - timeoutMs);
      last.delete(key);
    }
  }
  return out;
}

export function generations(data) {
  return data.workers.map((w) => ({
    pid: w.pid,
    startedS: w.firstS,
    shuttingDownFromS: w.shuttingDownS,
    lastSeenS: w.lastS,
    goneS: w.goneS,
  }));
}

const TUNNEL_MODES = [
  ['idle', 'idle', 1000],
  ['client-1s', 'client', 1000],
  ['client-4s', 'client', 4000],
  ['server-1s', 'server', 1000],
  ['both-1s', 'both', 1000],
];

/** a. Upgraded tunnels against proxy_read_timeout; `prt` seconds, observed for `seconds`. */
export function tunnelTimeoutExperiment(prt = 5, seconds = 15, modes = TUNNEL_MODES, name = 'nginx-tunnel-timeout') {
  return {
    name,
    description:
      `Upgraded (101) tunnels through nginx with proxy_read_timeout ${prt}s: idle, client→server ` +
      'bytes every 1 s / 4 s only, server→client every 1 s only, both every 1 s. Which close at ' +
      'the timeout (ngx_http_upstream_process_upgraded re-arms the upstream read timer on traffic ' +
      'in either direction)?',
    seconds,
    nginx: { proxyReadTimeout: `${prt}s` },
    client: {
      endMs: (seconds - 1) * 1000,
      groups: modes.map(([id, mode, intervalMs]) => ({ kind: 'tunnel', id, mode, intervalMs })),
    },
    summarise: (data) => ({ proxyReadTimeoutS: prt, tunnels: tunnelSummary(data) }),
  };
}

/**
 * b. A signal with open tunnels. Tunnel A opens at 0 s, B after the first signal; reloads happen
 * at 3 s and 6 s (two old generations), quit/stop at 3 s. The client closes A at 12 s and B at
 * 15 s unless nginx closed them first; a probe loop (1 request / 500 ms) shows where new
 * connections go.
 */
export function signalExperiment(signal, wst) {
  const actions =
    signal === 'reload'
      ? [
          { atMs: 3000, signal },
          { atMs: 6000, signal },
        ]
      : [{ atMs: 3000, signal }];
  const seconds = signal === 'stop' ? 8 : 19;
  return {
    name: `nginx-${signal}-tunnel${wst ? `-wst${wst}` : ''}`,
    description:
      `nginx -s ${signal} with open upgraded tunnels (1 s client heartbeat, proxy_read_timeout 60s)` +
      `${wst ? `, worker_shutdown_timeout ${wst}s` : ', no worker_shutdown_timeout'}: when each ` +
      'tunnel closes, when each worker generation exits, what the client sees.',
    seconds,
    nginx: { proxyReadTimeout: '60s', workerShutdownTimeout: wst ? `${wst}s` : null, keepaliveTimeout: '75s' },
    client: {
      endMs: (seconds - 2) * 1000,
      groups: [
        { kind: 'tunnel', id: 'A', mode: 'client', intervalMs: 1000, startMs: 0, closeAtMs: 12_000 },
        { kind: 'tunnel', id: 'B', mode: 'client', intervalMs: 1000, startMs: 4000, closeAtMs: 15_000 },
        { kind: 'loop', group: 'probe', conns: 1, thinkMs: 500, path: '/', startMs: 0, stopMs: (seconds - 3) * 1000 },
      ],
    },
    actions,
    summarise: (data) => ({
      workerShutdownTimeoutS: wst ?? null,
      signals: data.actions,
      tunnels: tunnelSummary(data),
      generations: generations(data),
      masterExitedS: data.masterExitedS,
      maxWorkersShuttingDown: Math.max(0, ...data.processSamples.map((p) => p.shuttingDown)),
      probe: {
        requests: count(
          events(data, 'req').filter((e) => e.g === 'probe'),
          (e) => `${e.out}${e.conn === 'close' ? '+close' : ''}`,
        ),
        connectFailures: count(events(data, 'connect-fail'), (e) => e.how),
        firstConnectFailureS: events(data, 'connect-fail')[0]?.s ?? null,
      },
    }),
  };
}

/** `conns` keep-alive connections that make one request each, then idle until someone closes them. */
export const idleGroup = (conns, staggerMs, stopMs) => ({
  kind: 'loop',
  group: 'idle',
  conns,
  thinkMs: null,
  path: '/',
  startMs: 0,
  staggerMs,
  stopMs,
});

/**
 * c. A reload under keepalive load: 200 idle keepalive connections (one request each) and 20
 * busy ones (300-ms requests, 100 ms think ≈ 50 requests/s, ≈ 15 in flight), 2 workers.
 */
export function reloadKeepaliveExperiment({
  name = 'nginx-reload-keepalive',
  seconds = 20,
  reloadAtMs = 8000,
  keepaliveTimeoutS = 60,
  idleConns = 200,
  idleStaggerMs = 10,
  busyConns = 20,
  busyStaggerMs = 20,
  busyThinkMs = 100,
  slowMs = 300,
  workers = 2,
  signal = 'reload',
  workerShutdownTimeout = null,
} = {}) {
  return {
    name,
    description:
      `nginx -s ${signal} at ${reloadAtMs / 1000} s with ${idleConns} idle keepalive connections (one every ` +
      `${idleStaggerMs} ms, keepalive_timeout ${keepaliveTimeoutS}s) and ${busyConns} busy ones (GET /slow ` +
      `${slowMs} ms, think ${busyThinkMs} ms), worker_processes ${workers}: how many idle connections ` +
      'close at once, what in-flight requests get (Connection: close), when the old workers exit.',
    seconds,
    nginx: { workers, keepaliveTimeout: `${keepaliveTimeoutS}s`, workerShutdownTimeout },
    client: {
      endMs: (seconds - 2) * 1000,
      groups: [
        idleGroup(idleConns, idleStaggerMs, (seconds - 2) * 1000),
        {
          kind: 'loop',
          group: 'busy',
          conns: busyConns,
          thinkMs: busyThinkMs,
          path: `/slow?ms=${slowMs}`,
          startMs: 0,
          staggerMs: busyStaggerMs,
          stopMs: (seconds - 3) * 1000,
        },
      ],
    },
    actions: [{ atMs: reloadAtMs, signal }],
    summarise: (data) => {
      const reloadS = data.actions[0]?.s ?? reloadAtMs / 1000;
      const closes = events(data, 'conn-close');
      // An idle connection's own keepalive timer (its response + keepalive_timeout, 50 ms slack)
      // closes it, not the reload, even when that falls just after the signal.
      const answered = new Map(
        events(data, 'req')
          .filter((e) => e.g === 'idle')
          .map((e) => [e.c, e.s]),
      );
      const byTimer = (e) => answered.has(e.c) && e.s - answered.get(e.c) >= keepaliveTimeoutS - 0.05;
      const afterReload = closes.filter((e) => e.g === 'idle' && e.s >= reloadS && e.s < reloadS + 5);
      const idleCloses = afterReload.filter((e) => !byTimer(e));
      const idleBefore = closes.filter((e) => e.g === 'idle' && e.s < reloadS).length;
      const lags = idleCloses.map((e) => e.s - reloadS).sort((a, b) => a - b);
      const busy = events(data, 'req').filter((e) => e.g === 'busy');
      // The old workers got SIGQUIT when the first idle connection closed (ngx_close_idle_connections
      // runs right then); the 100-ms process sampling is coarser than that.
      const quitS = lags.length ? reloadS + lags[0] : null;
      // In flight when the old workers got SIGQUIT: sent before it, answered after it.
      const inFlight = quitS === null ? [] : busy.filter((e) => e.sentS < quitS && e.s >= quitS);
      const label = (e) => `${e.out}${e.conn?.toLowerCase() === 'close' ? '+Connection:close' : ''}`;
      return {
        reloadS,
        idleConnections: data.config.client.groups[0].conns,
        idleClosedBeforeReload: idleBefore,
        idleClosedByTimerAfterReload: afterReload.length - idleCloses.length,
        idleClosedWithin1s: idleCloses.filter((e) => e.s < reloadS + 1).length,
        idleClosedWithin5s: idleCloses.length,
        idleCloseLagMs: lags.length
          ? {
              min: r3(lags[0] * 1000),
              median: r3(lags[Math.floor(lags.length / 2)] * 1000),
              max: r3(lags[lags.length - 1] * 1000),
            }
          : null,
        idleCloseHow: count(idleCloses, (e) => e.how),
        oldWorkersQuitS: quitS === null ? null : r3(quitS),
        busyRequests: busy.length,
        busyRate: r3(busy.length / (data.config.client.groups[1].stopMs / 1000)),
        busyOutcomes: count(busy, label),
        inFlightAtQuit: inFlight.length,
        inFlightOutcomes: count(inFlight, label),
        // A busy connection between two requests at the QUIT is idle: closed at once, and a
        // request crossing that FIN fails — the keepalive race, triggered by the reload. dueS is
        // when the request was due (its response + the configured think): a request due before
        // the QUIT but sent after it failed by the client's own lateness (thinkMs > configured).
        busyFailures: busy
          .filter((e) => e.out !== 'ok')
          .map((e) => ({
            out: e.out,
            sentS: e.sentS,
            afterQuitMs: quitS === null ? null : r3((e.sentS - quitS) * 1000),
            thinkMs: e.think,
            dueS: e.think === null ? null : r3(e.sentS - e.think / 1000 + data.config.client.groups[1].thinkMs / 1000),
          })),
        // The busy client's think timer: achieved think − configured 100 ms (ms).
        busyThinkLateMs: spread(
          busy.filter((e) => e.think != null).map((e) => e.think - data.config.client.groups[1].thinkMs),
        ),
        scheduling: data.stamp.scheduling?.requested ?? 'default',
        keepAliveAnswersAfterQuit: busy.filter(
          (e) => quitS !== null && e.s >= quitS && e.sentS < quitS && label(e) === 'ok',
        ).length,
        generations: generations(data),
        // After a quit nothing listens: each reconnect is refused (the client tries again every 200 ms).
        connectFailures: count(events(data, 'connect-fail'), (e) => e.how),
        firstConnectFailureS: events(data, 'connect-fail')[0]?.s ?? null,
        connectionsRefused: new Set(events(data, 'connect-fail').map((e) => `${e.g}.${e.c}`)).size,
        masterExitedS: data.masterExitedS,
        requestsPerWorker: data.accessLogSummary,
      };
    },
  };
}

/**
 * d. The keepalive race: keepalive_timeout 2s; clients that think exactly 2 s between requests on
 * one connection, 1.5 s (never reaches the timeout), 2.2 s (always after it).
 */
export function keepaliveRaceExperiment(seconds = 40, kt = 2, thinks = null, name = 'nginx-keepalive-race') {
  const stopMs = (seconds - 2) * 1000;
  const group = (name, conns, thinkMs) => ({
    kind: 'loop',
    group: name,
    conns,
    thinkMs,
    path: '/',
    startMs: 0,
    staggerMs: Math.round(thinkMs / conns),
    stopMs,
  });
  // [group, connections, think ms]
  const groups = thinks ?? [
    ['eq', 40, kt * 1000],
    ['lt', 40, 0.75 * kt * 1000],
    ['gt', 20, 1.1 * kt * 1000],
  ];
  return {
    name,
    description:
      `The keepalive race: keepalive_timeout ${kt}s; ` +
      `${groups.map(([g, n, t]) => `${n} connections think ${t} ms (${g})`).join(', ')} between requests. ` +
      'Every think cycle ends OK, ' +
      "ECONNRESET, EOF (no response), or closedFirst (nginx's FIN arrived before the client sent).",
    seconds,
    nginx: { keepaliveTimeout: `${kt}s` },
    client: {
      endMs: (seconds - 1) * 1000,
      groups: groups.map(([g, n, t]) => group(g, n, t)),
    },
    summarise: (data) => {
      const out = {};
      for (const g of data.config.client.groups) {
        const reqs = events(data, 'req').filter((e) => e.g === g.group && e.out !== 'client-closed');
        // A think cycle ends one of four ways: the request went out on the kept-alive connection
        // and was answered (ok), or failed (reset / eof), or nginx's FIN arrived first (closedFirst:
        // nothing was sent; a pooling client just opens a new connection).
        const reused = reqs.filter((e) => e.think != null);
        const closedFirst = data.clientEvents.filter(
          (e) =>
            e.g === g.group && (e.ev === 'stale' || (e.ev === 'conn-close' && e.idle && e.how !== 'client-closed')),
        ).length;
        const cycles = reused.length + closedFirst;
        const failed = reused.filter((e) => e.out !== 'ok');
        const thinks = reused.map((e) => e.think).sort((a, b) => a - b);
        const share = (n) => r3(cycles ? n / cycles : 0);
        out[g.group] = {
          thinkMs: g.thinkMs,
          connections: g.conns,
          requests: reqs.length,
          requestRate: r3(reqs.length / (stopMs / 1000)),
          thinkCycles: cycles,
          outcomes: { ...count(reused, (e) => e.out), closedFirst },
          shares: {
            ok: share(reused.length - failed.length),
            closedFirst: share(closedFirst),
            failed: share(failed.length),
          },
          achievedThinkMs: thinks.length
            ? {
                p5: thinks[Math.floor(thinks.length * 0.05)],
                median: thinks[Math.floor(thinks.length / 2)],
                p95: thinks[Math.floor(thinks.length * 0.95)],
              }
            : null,
          failedThinkMs: failed.map((e) => e.think).slice(0, 50),
          // Achieved lateness (ms): the client's think timer (think − configured) and nginx's
          // keepalive timer (response → FIN seen by the client, − keepalive_timeout).
          clientTimerLateMs: spread(reused.map((e) => e.think - g.thinkMs)),
          nginxFinLateMs: spread(finLatenessMs(data, g.group, kt * 1000)),
        };
      }
      return { keepaliveTimeoutS: kt, scheduling: data.stamp.scheduling?.requested ?? 'default', groups: out };
    },
  };
}

/**
 * e. The same race one hop further: nginx as the L7 proxy, its upstream keepalive pool against a
 * backend (node, keepAliveTimeout 2 s) that closes connections idle for 3 s. 40 upstream blocks
 * (each its own `keepalive 2` cache) so 40 proxy→backend connections race independently; one
 * client connection per block, thinking 2.95 s … 3.045 s (5-ms steps) between requests; 20 blocks
 * get GETs, 20 POSTs.
 * Does the client see a 502, or does nginx retry (ngx_http_upstream_next: a failure on a cached
 * connection does not use up a try; POST is not retried once sent)?
 */
export function upstreamRaceExperiment(seconds = 40, backendKeepAliveMs = 2000) {
  const stopMs = (seconds - 2) * 1000;
  // node 20 closes an idle kept-alive socket after keepAliveTimeout + 1 s (lib/_http_server.js:
  // socket.setTimeout(server.keepAliveTimeout + HTTP_SERVER_KEEP_ALIVE_TIMEOUT_BUFFER), 1000 ms),
  // while it advertises `Keep-Alive: timeout=<keepAliveTimeout>`.
  const closesAfterMs = backendKeepAliveMs + 1000;
  const group = (name, method, pathOffset) => ({
    kind: 'loop',
    group: name,
    method,
    conns: 20,
    thinkMs: closesAfterMs - 50,
    thinkStepMs: 5,
    path: '/pool{c}/',
    pathOffset,
    startMs: 0,
    staggerMs: 97,
    stopMs,
  });
  return {
    name: 'nginx-upstream-keepalive-race',
    description:
      `The keepalive race between nginx and its backend: node keepAliveTimeout ${backendKeepAliveMs} ms ` +
      `(closes after ${closesAfterMs} ms idle), nginx upstream keepalive 2 (keepalive_timeout 60s) in 40 ` +
      `upstream blocks; one client connection per block thinks ${closesAfterMs - 50}–${closesAfterMs + 45} ms ` +
      'between requests; 20 blocks GET, 20 POST.',
    seconds,
    backendKeepAliveMs,
    nginx: { pools: { count: 40, keepalive: 2, timeout: '60s' } },
    client: { endMs: (seconds - 1) * 1000, groups: [group('get', 'GET', 0), group('post', 'POST', 20)] },
    summarise: (data) => {
      const groups = {};
      for (const g of data.config.client.groups) {
        const reqs = events(data, 'req').filter((e) => e.g === g.group && e.out !== 'client-closed');
        const bad = reqs.filter((e) => e.out !== 'ok' || e.status !== 200);
        groups[g.group] = {
          method: g.method,
          requests: reqs.length,
          statuses: count(reqs, (e) => (e.out === 'ok' ? String(e.status) : e.out)),
          failureShare: r3(reqs.length ? bad.length / reqs.length : 0),
          failedThinkMs: bad.map((e) => e.think).slice(0, 50),
        };
      }
      return {
        backendKeepAliveMs,
        backendClosesIdleAfterMs: closesAfterMs,
        groups,
        backendConnections: data.backendEvents.filter((e) => e.ev === 'up-conn').length,
        // node's idle timer: idle time at its close − (keepAliveTimeout + 1 s), ms (recordings
        // from before this field existed have no such events: null).
        backendIdleCloseLateMs: spread(
          data.backendEvents.filter((e) => e.ev === 'up-idle-close').map((e) => e.idleMs - closesAfterMs),
        ),
        clientTimerLateMs: spread(
          events(data, 'req')
            .filter((e) => e.think != null)
            .map((e) => {
              const g = data.config.client.groups.find((x) => x.group === e.g);
              return e.think - (g.thinkMs + e.c * (g.thinkStepMs ?? 0));
            }),
        ),
        scheduling: data.stamp.scheduling?.requested ?? 'default',
        errorLog: Object.fromEntries(Object.entries(data.errorLogCounts).filter(([k]) => !k.startsWith('[notice]'))),
      };
    },
  };
}

export const NGINX_EXPERIMENTS = [
  tunnelTimeoutExperiment(),
  signalExperiment('reload', null),
  signalExperiment('reload', 5),
  signalExperiment('quit', null),
  signalExperiment('quit', 5),
  signalExperiment('stop', null),
  reloadKeepaliveExperiment(),
  keepaliveRaceExperiment(),
  upstreamRaceExperiment(),
  ...TLS_STORM_EXPERIMENTS,
  ...TLS_RESUME_EXPERIMENTS,
];

/** The short nginx experiment of `npm test` (test/calibration/nginx.test.ts): ≈ 10 s. */
export const NGINX_LIVE_CHECK = { ...tunnelTimeoutExperiment(3, 9), name: 'nginx-live-check' };
