// Held-out nginx experiments (session 13): the harness's experiments with parameter combinations
// never recorded before, each restated FIRST as a drainsim twin (calibration/scenarios/
// nginx-holdout-*.yaml, the prediction) and only then recorded and compared
// (test/calibration/nginx-holdout.test.ts). Bounded like the others: ≤ 25 s each, one namespace.
import {
  generations,
  keepaliveRaceExperiment,
  reloadKeepaliveExperiment,
  tunnelSummary,
  tunnelTimeoutExperiment,
} from './experiments.mjs';
import { tlsStormExperiment } from './tls-storm-experiments.mjs';

/**
 * Three reloads 2 s apart with worker_shutdown_timeout 3s and one tunnel per generation: the
 * shutdown timer is armed once, at a worker's first QUIT (ngx_worker_process_cycle:
 * `if (!ngx_exiting) { ngx_exiting = 1; ngx_set_shutdown_timer(cycle); … }`), so the second
 * reload's QUIT to a generation already shutting down must not push its end back.
 */
export function threeReloadsExperiment(seconds = 18) {
  const tunnel = (id, startMs) => ({
    kind: 'tunnel',
    id,
    mode: 'client',
    intervalMs: 1000,
    startMs,
    closeAtMs: 15_000,
  });
  return {
    name: 'nginx-holdout-reload3-tunnel-wst3',
    description:
      'nginx -s reload at 3 s, 5 s and 7 s with worker_shutdown_timeout 3s, proxy_read_timeout 60s, ' +
      'tunnels A (0 s), B (4 s), C (6 s), D (8 s) with a 1-s client heartbeat, each closed by the client ' +
      'at 15 s if still open; a probe (1 request / 500 ms). When each tunnel closes, when each ' +
      'generation exits, how many shut down side by side.',
    seconds,
    nginx: { proxyReadTimeout: '60s', workerShutdownTimeout: '3s', keepaliveTimeout: '75s' },
    client: {
      endMs: (seconds - 2) * 1000,
      groups: [
        tunnel('A', 0),
        tunnel('B', 4000),
        tunnel('C', 6000),
        tunnel('D', 8000),
        { kind: 'loop', group: 'probe', conns: 1, thinkMs: 500, path: '/', startMs: 0, stopMs: (seconds - 3) * 1000 },
      ],
    },
    actions: [
      { atMs: 3000, signal: 'reload' },
      { atMs: 5000, signal: 'reload' },
      { atMs: 7000, signal: 'reload' },
    ],
    summarise: (data) => ({
      signals: data.actions,
      tunnels: tunnelSummary(data),
      generations: generations(data),
      maxWorkersShuttingDown: Math.max(0, ...data.processSamples.map((p) => p.shuttingDown)),
      probeFailures: data.clientEvents.filter((e) => e.ev === 'req' && e.g === 'probe' && e.out !== 'ok').length,
      connectFailures: data.clientEvents.filter((e) => e.ev === 'connect-fail').length,
    }),
  };
}

/**
 * keepalive_requests 10: 20 keep-alive connections in a closed loop (GET /, think 100 ms); nginx
 * answers every 10th request of a connection with `Connection: close` and closes it.
 */
export function keepaliveRequestsExperiment(seconds = 15, keepaliveRequests = 10) {
  const stopMs = (seconds - 2) * 1000;
  return {
    name: `nginx-holdout-keepalive-requests${keepaliveRequests}`,
    description:
      `keepalive_requests ${keepaliveRequests} (keepalive_timeout 60s): 20 keep-alive connections, GET / with ` +
      '100 ms think; which responses carry Connection: close, how many connections nginx closes, any failure.',
    seconds,
    nginx: { keepaliveTimeout: '60s', keepaliveRequests },
    client: {
      endMs: (seconds - 1) * 1000,
      groups: [{ kind: 'loop', group: 'busy', conns: 20, thinkMs: 100, path: '/', startMs: 0, staggerMs: 10, stopMs }],
    },
    summarise: (data) => {
      const reqs = data.clientEvents.filter((e) => e.ev === 'req' && e.g === 'busy' && e.out !== 'client-closed');
      const closes = data.clientEvents.filter((e) => e.ev === 'conn-close' && e.g === 'busy');
      const byN = {};
      for (const e of reqs.filter((x) => x.conn?.toLowerCase() === 'close')) byN[e.n] = (byN[e.n] ?? 0) + 1;
      return {
        keepaliveRequests,
        requests: reqs.length,
        requestRate: Math.round((reqs.length / (stopMs / 1000)) * 1000) / 1000,
        failed: reqs.filter((e) => e.out !== 'ok').length,
        connectionCloseAnswers: reqs.filter((e) => e.conn?.toLowerCase() === 'close').length,
        // The request number on its connection that got `Connection: close`.
        connectionCloseAtRequest: byN,
        closedByNginx: closes.filter((e) => e.how === 'eof').length,
        connectionsOpened: 20 + closes.filter((e) => e.how === 'eof').length,
      };
    },
  };
}

/** 10 keep-alive connections (50 ms apart) in a closed loop: GET /slow `ms`, think `thinkMs`. */
export const slowLoopGroup = (group, ms, thinkMs, stopMs) => ({
  kind: 'loop',
  group,
  conns: 10,
  thinkMs,
  path: `/slow?ms=${ms}`,
  startMs: 0,
  staggerMs: 50,
  stopMs,
});

/**
 * proxy_read_timeout 1s against plain (not upgraded) requests: 10 keep-alive connections whose
 * requests take the backend 500 ms (`fast`), 10 whose take 1.5 s (`slow`), think 500 ms.
 */
export function readTimeoutExperiment(seconds = 12) {
  const stopMs = (seconds - 2) * 1000;
  const group = (name, ms) => slowLoopGroup(name, ms, 500, stopMs);
  return {
    name: 'nginx-holdout-read-timeout',
    description:
      'proxy_read_timeout 1s; 10 keep-alive connections GET /slow 500 ms, 10 GET /slow 1500 ms, think ' +
      '500 ms: the status each gets, after how long, and whether the connection is kept alive.',
    seconds,
    nginx: { proxyReadTimeout: '1s', keepaliveTimeout: '60s' },
    client: { endMs: (seconds - 1) * 1000, groups: [group('fast', 500), group('slow', 1500)] },
    summarise: (data) => {
      const out = {};
      for (const g of data.config.client.groups) {
        const reqs = data.clientEvents.filter((e) => e.ev === 'req' && e.g === g.group && e.out === 'ok');
        const count = {};
        for (const e of reqs) {
          const k = `${e.status}${e.conn?.toLowerCase() === 'close' ? '+close' : ''}`;
          count[k] = (count[k] ?? 0) + 1;
        }
        const lat = reqs.map((e) => (e.s - e.sentS) * 1000).sort((a, b) => a - b);
        out[g.group] = {
          requests: reqs.length,
          statuses: count,
          latencyMs: lat.length
            ? { min: lat[0], median: lat[Math.floor(lat.length / 2)], max: lat[lat.length - 1] }
            : null,
          closes: data.clientEvents.filter((e) => e.ev === 'conn-close' && e.g === g.group && e.how !== 'client-closed')
            .length,
        };
      }
      return {
        groups: out,
        errorLog: Object.fromEntries(Object.entries(data.errorLogCounts).filter(([k]) => !k.startsWith('[notice]'))),
        backendEvents: [...new Set(data.backendEvents.map((e) => e.ev))],
      };
    },
  };
}

/** A reload at 6 s while 20 connections each have a 2-s request in flight (and 10 idle ones). */
const SLOW_REQUESTS_RELOAD = {
  name: 'nginx-holdout-reload-slow2s',
  seconds: 14,
  reloadAtMs: 6000,
  idleConns: 10,
  idleStaggerMs: 20,
  busyConns: 20,
  busyStaggerMs: 100,
  busyThinkMs: 100,
  slowMs: 2000,
};

export const HOLDOUT_EXPERIMENTS = [
  // Reload with keepalive_timeout 7s: idle connections opened 0–2 s; those older than 7 s at the
  // old workers' QUIT (≈ 8.1 s) have been closed by their timer already, the rest close at once.
  reloadKeepaliveExperiment({
    name: 'nginx-holdout-reload-ka7',
    keepaliveTimeoutS: 7,
    idleConns: 100,
    idleStaggerMs: 20,
    busyConns: 30,
    busyStaggerMs: 13,
    busyThinkMs: 250,
    slowMs: 150,
  }),
  threeReloadsExperiment(),
  // proxy_read_timeout 3s: traffic every 2 s (either way) keeps a tunnel, every 4 s does not.
  tunnelTimeoutExperiment(
    3,
    12,
    [
      ['idle', 'idle', 1000],
      ['client-2s', 'client', 2000],
      ['client-4s', 'client', 4000],
      ['server-4s', 'server', 4000],
    ],
    'nginx-holdout-tunnel-prt3',
  ),
  // Off the tie: think keepalive_timeout − 20 ms / + 20 ms.
  keepaliveRaceExperiment(
    30,
    2,
    [
      ['below', 40, 1980],
      ['above', 40, 2020],
    ],
    'nginx-holdout-keepalive-pm20',
  ),
  // Two workers and the client on 2 cores: distorted (the workers get < 2 cores while the client
  // runs, as in nginx-tls-storm-w2-b32-c300); one worker leaves a core to the client.
  {
    ...tlsStormExperiment({ workers: 2, backlog: 128, connections: 500 }),
    name: 'nginx-holdout-tls-storm-w2-b128-c500',
  },
  { ...tlsStormExperiment({ workers: 1, backlog: 64, connections: 500 }), name: 'nginx-holdout-tls-storm-w1-b64-c500' },
  // Second round (twins written before these were recorded, too).
  keepaliveRequestsExperiment(),
  reloadKeepaliveExperiment({
    name: 'nginx-holdout-quit-keepalive',
    signal: 'quit',
    seconds: 14,
    idleConns: 100,
    idleStaggerMs: 20,
    busyConns: 20,
    busyStaggerMs: 20,
    busyThinkMs: 100,
    slowMs: 300,
  }),
  reloadKeepaliveExperiment(SLOW_REQUESTS_RELOAD),
  readTimeoutExperiment(),
  reloadKeepaliveExperiment({
    ...SLOW_REQUESTS_RELOAD,
    name: 'nginx-holdout-reload-slow2s-wst1',
    workerShutdownTimeout: '1s',
  }),
];
