// The HAProxy calibration runs: each of kill+restart, drain and drain+shutdown in tcp and http
// mode, with and without `option redispatch`; a SIGSTOPped (hung) backend in both modes. Every
// run is bounded (≤ 45 s) and modest in rate (the machine is shared): 60 requests/s over
// 12 keep-alive connections, or 20 never-ending streams.
import { HC404_EXPERIMENTS } from './hc404.mjs';
import { HOLDOUT_EXPERIMENTS } from './holdout.mjs';
import { HOLDOUT3_EXPERIMENTS } from './holdout3.mjs';
import { HOLDOUT4_EXPERIMENTS } from './holdout4.mjs';
import { HOLDOUT5_EXPERIMENTS } from './holdout5.mjs';
import { HOLDOUT6_EXPERIMENTS } from './holdout6.mjs';
import { HOLDOUT7_EXPERIMENTS } from './holdout7.mjs';
import { HOLDOUT8_EXPERIMENTS } from './holdout8.mjs';
import { HOLDOUT9_EXPERIMENTS, HOLDOUT9B_EXPERIMENTS } from './holdout9.mjs';
import { HOLDOUT10_EXPERIMENTS } from './holdout10.mjs';
import { HOLDOUT11_EXPERIMENTS, HOLDOUT11B_EXPERIMENTS } from './holdout11.mjs';
import { HOLDOUT12_EXPERIMENTS, HOLDOUT12B_EXPERIMENTS } from './holdout12.mjs';
import { HOLDOUT14_EXPERIMENTS } from './holdout14.mjs';
import { HOLDOUT16_EXPERIMENTS } from './holdout16.mjs';
import { HOLDOUT18_EXPERIMENTS, HOLDOUT18B_EXPERIMENTS } from './holdout18.mjs';
import { HOLDOUT19_EXPERIMENTS } from './holdout19.mjs';
import { HOLDOUT20_EXPERIMENTS } from './holdout20.mjs';
import { HOLDOUT21_EXPERIMENTS } from './holdout21.mjs';
import { HOLDOUT22_EXPERIMENTS } from './holdout22.mjs';
import { HOLDOUT23_EXPERIMENTS } from './holdout23.mjs';
import { HOLDOUT25_EXPERIMENTS } from './holdout25.mjs';
import { runHaproxyExperiment, runHaproxyExperimentSteady } from './lab.mjs';

const MODES = ['tcp', 'http'];
const REDISPATCH = [false, true];
const suffix = (mode, redispatch) => `${mode}${redispatch ? '-redispatch' : ''}`;

/** At least 10 s after the drain, and s1 has been empty for the last 2 s (or the time is up). */
function emptyForTwoSeconds({ samples, actionsDone }) {
  const drain = actionsDone.find((a) => a.op === 'cmd' && /state drain/.test(a.command));
  const last = samples.filter((s) => s.s1 && s.t > drain.t).slice(-8);
  // Fewer than 8 good samples yet (a `show stat` that timed out leaves a sample without s1).
  if (last.length < 8) return false;
  return last.at(-1).t > drain.t + 10 && last.every((s) => s.s1.scur === 0);
}

function killRestart(mode, redispatch) {
  return {
    name: `haproxy-kill-restart-${suffix(mode, redispatch)}`,
    description:
      `mode ${mode}${redispatch ? ', option redispatch' : ''}: 60 req/s over 12 keep-alive connections; ` +
      'kill -9 backend s1 at 5 s, start it again at 25 s; time to DOWN, errors while HAProxy still ' +
      'sends to it, time to UP.',
    mode,
    redispatch,
    seconds: 36,
    requests: { rate: 60, connections: 12 },
    actions: [
      { at: 5, op: 'kill', server: 's1' },
      { at: 25, op: 'restart', server: 's1' },
    ],
  };
}

/** Each drain run draws its own connection lifetimes. */
const DRAIN_SEEDS = { tcp: 12, 'tcp-redispatch': 13, http: 14, 'http-redispatch': 15 };

function drain(mode, redispatch) {
  return {
    name: `haproxy-drain-${suffix(mode, redispatch)}`,
    description:
      `mode ${mode}${redispatch ? ', option redispatch' : ''}: 60 req/s over 20 keep-alive connections whose ` +
      'lifetimes are exponential (mean 5 s; the client closes and reopens); `set server be/s1 state drain` ' +
      'at 8 s; s1 `scur` sampled until it has been 0 for 2 s.',
    mode,
    redispatch,
    seconds: 45,
    seed: DRAIN_SEEDS[suffix(mode, redispatch)],
    requests: { rate: 60, connections: 20, meanLifetimeS: 5 },
    actions: [{ at: 8, op: 'cmd', command: 'set server be/s1 state drain' }],
    endWhen: emptyForTwoSeconds,
  };
}

/**
 * The tcp drain again with other lifetime seeds: its time to empty is the longest residual
 * lifetime of ≈ 10 connections, one draw per run — these repeats show its spread. Seeds 31…42
 * (session 9) bring the tcp drains to 20, so that the decay of s1's flows and the responses it
 * serves after the drain can be told apart from chance (test/calibration/haproxy-compare.test.ts).
 */
const DRAIN_REPEAT_SEEDS = [21, 22, 23, 24, 25, 26, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42];
const drainRepeats = DRAIN_REPEAT_SEEDS.map((seed) => ({
  ...drain('tcp', false),
  name: `haproxy-drain-tcp-seed${seed}`,
  seed,
}));

/** Cookie persistence through a drain, then maint (http mode only: tcp mode cannot see cookies). */
const drainCookie = {
  name: 'haproxy-drain-cookie-http',
  description:
    'mode http, `cookie SRV insert indirect nocache`: 60 req/s over 20 connections (exponential ' +
    'lifetimes, mean 5 s), each connection slot one user returning its cookie; drain s1 at 8 s ' +
    '(persistent users must stay on s1), `set server be/s1 state maint` at 18 s (they move to s2).',
  mode: 'http',
  redispatch: false,
  cookie: true,
  seconds: 26,
  seed: 16,
  requests: { rate: 60, connections: 20, meanLifetimeS: 5 },
  actions: [
    { at: 8, op: 'cmd', command: 'set server be/s1 state drain' },
    { at: 18, op: 'cmd', command: 'set server be/s1 state maint' },
  ],
};

function shutdown(mode, redispatch) {
  return {
    name: `haproxy-shutdown-sessions-${suffix(mode, redispatch)}`,
    description:
      `mode ${mode}${redispatch ? ', option redispatch' : ''}: 20 never-ending streams (GET /stream, a chunk ` +
      'every 250 ms) and 20 req/s; drain s1 at 3 s, `shutdown sessions server be/s1` at 8 s; what the ' +
      "clients of s1's streams see (FIN or RST) and when.",
    mode,
    redispatch,
    seconds: 12,
    requests: { rate: 20, connections: 6 },
    streams: { count: 20 },
    actions: [
      { at: 3, op: 'cmd', command: 'set server be/s1 state drain' },
      { at: 8, op: 'cmd', command: 'shutdown sessions server be/s1' },
    ],
  };
}

/**
 * The shutdown run again with `ss -Htan` sampled every second (lab.mjs `sockets`): which host
 * holds the TIME_WAIT of a stream HAProxy's `shutdown sessions` ended — the proxy's own sockets
 * (it sends the first FIN both ways), the client's or the server's.
 */
function shutdownSockets(mode) {
  return {
    ...shutdown(mode, false),
    name: `haproxy-sockets-shutdown-sessions-${mode}`,
    description: `${shutdown(mode, false).description} Sockets by state and holder (ss) every second.`,
    sockets: true,
  };
}

function hang(mode) {
  return {
    name: `haproxy-hang-${mode}`,
    description:
      `mode ${mode}: 60 req/s over 12 keep-alive connections; SIGSTOP backend s1 at 5 s (the kernel still ` +
      'accepts connections, nothing answers), SIGCONT at 27 s; time to DOWN with `inter 2s` and no ' +
      '`timeout check` (each check times out after inter), what clients see, time to UP.',
    mode,
    redispatch: false,
    seconds: 38,
    requests: { rate: 60, connections: 12 },
    actions: [
      { at: 5, op: 'stop', server: 's1' },
      { at: 27, op: 'cont', server: 's1' },
    ],
  };
}

/** srv_getinter(): fastinter while going down/up, downinter while DOWN (src/server.c). */
const killFastinter = {
  ...killRestart('http', false),
  name: 'haproxy-kill-fastinter-http',
  description:
    'mode http, `fastinter 500ms downinter 1s`: 60 req/s; kill -9 s1 at 5 s, start it again at 15 s. ' +
    'The first failure still waits up to inter (2 s), the next two come 0.5 s apart; once DOWN ' +
    'checks run every 1 s, and 0.5 s apart while coming up.',
  seconds: 22,
  serverOptions: 'fastinter 500ms downinter 1s',
  actions: [
    { at: 5, op: 'kill', server: 's1' },
    { at: 15, op: 'restart', server: 's1' },
  ],
};

/** on-marked-down shutdown-sessions: a hung server's streams are killed when it goes DOWN. */
const hangShutdownOnDown = {
  name: 'haproxy-hang-onmarkeddown-tcp',
  description:
    'mode tcp, `on-marked-down shutdown-sessions`: 20 never-ending streams and 20 req/s; SIGSTOP s1 ' +
    'at 3 s; when the checks mark it DOWN (≈ 10-12 s later) HAProxy kills its streams: what the ' +
    'clients see and when.',
  mode: 'tcp',
  redispatch: false,
  seconds: 20,
  serverOptions: 'on-marked-down shutdown-sessions',
  requests: { rate: 20, connections: 6 },
  streams: { count: 20 },
  actions: [{ at: 3, op: 'stop', server: 's1' }],
};

/**
 * `set server … state maint` of a running server with `on-marked-down shutdown-sessions`
 * (session 27, maint27): srv_update_status() (src/server.c, "server was still running") calls
 * srv_shutdown_streams(s, SF_ERR_DOWN) on entering maintenance too, not only on a DOWN by checks.
 */
function maintShutdown(mode) {
  return {
    name: `haproxy-maint-onmarkeddown-${mode}`,
    description:
      `mode ${mode}, \`on-marked-down shutdown-sessions\`: 20 never-ending streams (GET /stream, a chunk ` +
      'every 250 ms) and 20 req/s; `set server be/s1 state maint` at 8 s: whether maint shuts the ' +
      'streams of s1 as a DOWN would, what their clients see (FIN or RST) and when.',
    mode,
    redispatch: false,
    seconds: 12,
    serverOptions: 'on-marked-down shutdown-sessions',
    requests: { rate: 20, connections: 6 },
    streams: { count: 20 },
    actions: [{ at: 8, op: 'cmd', command: 'set server be/s1 state maint' }],
  };
}

/** Per-server maxconn: excess requests queue, and get 503 after `timeout queue` (src/backend.c). */
const queueTimeout = {
  name: 'haproxy-queue-http',
  description:
    'mode http, `maxconn 4` per server, `timeout queue 1s`; 40 req/s of GET /slow/150 (150-ms ' +
    'responses: ≈ 6 concurrent for 8 slots); kill -9 s1 at 8 s: once it is DOWN, s2 alone can serve ' +
    '4 / 0.15 s ≈ 27 req/s, the rest waits in its queue and gets 503 (sQ) after 1 s.',
  mode: 'http',
  redispatch: false,
  seconds: 20,
  serverOptions: 'maxconn 4',
  backendLines: ['timeout queue 1s'],
  requests: { rate: 40, connections: 12, path: '/slow/150' },
  actions: [{ at: 8, op: 'kill', server: 's1' }],
};

/**
 * The queue run again (session 9): the first recording's s2 served 25.7/s where 4 slots of
 * 150 ms give 26.7/s, at a load average of 15.8 on 2 cores; a second run shows how much of its
 * 503 count is the machine's.
 */
const queueTimeoutRun2 = { ...queueTimeout, name: 'haproxy-queue-http-run2' };

/** balance source: the hash of 127.0.0.1 picks one server for every request (src/backend.c get_server_sh). */
const balanceSource = {
  name: 'haproxy-source-http',
  description:
    'mode http, `balance source`: 60 req/s from 127.0.0.1 for 14 s; `set server be/s1 state drain` at ' +
    '5 s and `set server be/s2 state drain` at 10 s with s1 back to ready at 9 s: which server gets ' +
    'every request in each phase.',
  mode: 'http',
  redispatch: false,
  seconds: 14,
  backendLines: ['balance source'],
  requests: { rate: 60, connections: 12 },
  actions: [
    { at: 5, op: 'cmd', command: 'set server be/s1 state drain' },
    { at: 9, op: 'cmd', command: 'set server be/s1 state ready' },
    { at: 10, op: 'cmd', command: 'set server be/s2 state drain' },
  ],
};

/**
 * Leaving maintenance (src/server.c srv_update_status(), the "leaving maintenance" branch): checks
 * are paused in maint (CHK_ST_PAUSED, health 0); `state ready` sets check->health = rise, so the
 * server is UP at once — even dead — until the next check (on the paused task's `inter` grid) fails
 * and, health being rise − 1 < rise, marks it DOWN at the first failure.
 */
const maintKillReady = {
  name: 'haproxy-maint-kill-ready-http',
  description:
    'mode http, no redispatch: 60 req/s over 12 keep-alive connections; `set server be/s1 state maint` ' +
    'at 4 s, kill -9 s1 at 6 s (checks are paused: nobody notices), `set server be/s1 state ready` at ' +
    '12 s: s1 is UP at once and gets requests (503 after 3 retries) until one failed check marks it DOWN.',
  mode: 'http',
  redispatch: false,
  seconds: 22,
  requests: { rate: 60, connections: 12 },
  actions: [
    { at: 4, op: 'cmd', command: 'set server be/s1 state maint' },
    { at: 6, op: 'kill', server: 's1' },
    { at: 12, op: 'cmd', command: 'set server be/s1 state ready' },
  ],
};

/**
 * slowstart (src/server.c server_recalc_eweight(), server_warmup()): s1's share of the requests
 * per second after it comes back UP (checks) and after it leaves maintenance (state ready).
 */
const slowstartRestart = {
  name: 'haproxy-slowstart-restart-http',
  description:
    'mode http, `slowstart 10s`: 60 req/s over 12 keep-alive connections; kill -9 s1 at 3 s, start it ' +
    'again at 10 s: once the checks mark it UP its weight ramps in 1/16 steps over 10 s (requests per ' +
    'second to s1).',
  mode: 'http',
  redispatch: false,
  seconds: 30,
  serverOptions: 'slowstart 10s',
  requests: { rate: 60, connections: 12 },
  actions: [
    { at: 3, op: 'kill', server: 's1' },
    { at: 10, op: 'restart', server: 's1' },
  ],
};

const slowstartMaint = {
  name: 'haproxy-slowstart-maint-http',
  description:
    'mode http, `slowstart 10s`: 60 req/s over 12 keep-alive connections; `set server be/s1 state maint` ' +
    'at 3 s, `state ready` at 6 s: leaving maintenance starts the slowstart ramp (requests per second to s1).',
  mode: 'http',
  redispatch: false,
  seconds: 22,
  serverOptions: 'slowstart 10s',
  requests: { rate: 60, connections: 12 },
  actions: [
    { at: 3, op: 'cmd', command: 'set server be/s1 state maint' },
    { at: 6, op: 'cmd', command: 'set server be/s1 state ready' },
  ],
};

/**
 * The older runs whose compared figures hang on the check tasks' phase (session 18, NOTES.md item
 * 37): a hung, paused or vanished server found by the checks, or a flapping one. Their first
 * recordings (before session 17's stamp) do not state HAProxy's start, which sets that phase and
 * the resolvers task's (src/check.c start_checks(), src/resolvers.c); their twins read s1's phase
 * off a DOWN line (first_check). Re-recorded with `option log-health-checks` (a log line per check
 * status change, nothing else: set_server_check_status(), src/check.c), so s1's first check,
 * logged before t0, states the start as round 6's do; the first recordings keep their files.
 */
export const CHECK_PHASE_RUNS = [
  'haproxy-hang-http',
  'haproxy-hang-tcp',
  'haproxy-hang-onmarkeddown-tcp',
  'haproxy-holdout-hang-tcheck-http',
  'haproxy-holdout-hang-tcheck-long-http',
  'haproxy-holdout-hang-tserver-http',
  'haproxy-holdout3-vanish-tcheck-http-redispatch',
  'haproxy-holdout3-flap-http',
  'haproxy-holdout4-gcpause-tcheck-http',
  'haproxy-holdout4-gcpause-inter-http',
];
const LOG_CHECKS = 'option log-health-checks';
const logChecks = (e) =>
  CHECK_PHASE_RUNS.includes(e.name) && !(e.backendLines ?? []).includes(LOG_CHECKS)
    ? { ...e, backendLines: [...(e.backendLines ?? []), LOG_CHECKS] }
    : e;

export const HAPROXY_EXPERIMENTS = [
  ...MODES.flatMap((m) => REDISPATCH.map((r) => killRestart(m, r))),
  ...MODES.flatMap((m) => REDISPATCH.map((r) => drain(m, r))),
  ...drainRepeats,
  drainCookie,
  ...MODES.flatMap((m) => REDISPATCH.map((r) => shutdown(m, r))),
  ...MODES.map(shutdownSockets),
  ...MODES.map(hang),
  killFastinter,
  hangShutdownOnDown,
  ...MODES.map(maintShutdown),
  queueTimeout,
  queueTimeoutRun2,
  balanceSource,
  maintKillReady,
  slowstartRestart,
  slowstartMaint,
  ...HOLDOUT_EXPERIMENTS,
  ...HOLDOUT3_EXPERIMENTS,
  ...HOLDOUT4_EXPERIMENTS,
  ...HOLDOUT5_EXPERIMENTS,
  ...HOLDOUT6_EXPERIMENTS,
  ...HOLDOUT7_EXPERIMENTS,
  ...HOLDOUT8_EXPERIMENTS,
  ...HOLDOUT9_EXPERIMENTS,
  ...HOLDOUT9B_EXPERIMENTS,
  ...HOLDOUT10_EXPERIMENTS,
  ...HOLDOUT11_EXPERIMENTS,
  ...HOLDOUT11B_EXPERIMENTS,
  ...HOLDOUT12_EXPERIMENTS,
  ...HOLDOUT12B_EXPERIMENTS,
  ...HOLDOUT14_EXPERIMENTS,
  ...HC404_EXPERIMENTS,
  ...HOLDOUT16_EXPERIMENTS,
  ...HOLDOUT18_EXPERIMENTS,
  ...HOLDOUT18B_EXPERIMENTS,
  ...HOLDOUT19_EXPERIMENTS,
  ...HOLDOUT20_EXPERIMENTS,
  ...HOLDOUT21_EXPERIMENTS,
  ...HOLDOUT22_EXPERIMENTS,
  ...HOLDOUT23_EXPERIMENTS,
  ...HOLDOUT25_EXPERIMENTS,
]
  .map(logChecks)
  .map((e) => ({ ...e, run: runHaproxyExperimentSteady }));

/** The short run of `npm test` (test/calibration/haproxy.test.ts): kill -9 in http mode, 18 s. */
export const HAPROXY_LIVE_CHECK = {
  ...killRestart('http', false),
  name: 'haproxy-live-check',
  seconds: 18,
  actions: [{ at: 3, op: 'kill', server: 's1' }],
  run: runHaproxyExperiment,
};
