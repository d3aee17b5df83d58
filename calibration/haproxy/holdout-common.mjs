// What the held-out HAProxy rounds 7-14 (holdout7.mjs … holdout14.mjs) share: the
// `option log-health-checks` line that states HAProxy's start before t0 on every recording
// (test/calibration/haproxy-restated.ts statedUptime()), the three-server backend, the kill /
// restart, SIGSTOP / SIGCONT and runtime-API state / ready action pairs, the hung-server run over
// two servers and the hung-server run under `on-marked-down shutdown-sessions` over three. Each
// round keeps its own runs: names, descriptions, balance and server settings.
import { heldOut } from './holdout4.mjs';

export { heldOut };

export const LOG_CHECKS = 'option log-health-checks';
export const THREE_SERVERS = ['s1', 's2', 's3'].map((name) => ({ name }));

/** kill -9 `server` at `at` s, restarted at `restartAt` s. */
export const killThenRestart = (server, at, restartAt) => [
  { at, op: 'kill', server },
  { at: restartAt, op: 'restart', server },
];

/** SIGSTOP `server` at `at` s (its kernel still accepts), SIGCONT at `contAt` s. */
export const stopThenCont = (server, at, contAt) => [
  { at, op: 'stop', server },
  { at: contAt, op: 'cont', server },
];

/** `set server be/<server> state <state>` (drain, maint) through the runtime API at `at` s, `state ready` at `readyAt` s. */
export const stateThenReady = (server, state, at, readyAt) => [
  { at, op: 'cmd', command: `set server be/${server} state ${state}` },
  { at: readyAt, op: 'cmd', command: `set server be/${server} state ready` },
];

/**
 * Two servers, 40 req/s over 12 keep-alive connections, s1 SIGSTOPped 4-9 s: how the balancing
 * (`backendLines`, `serverOptions`) shares the pause between the hung s1 and s2. `setting` opens the
 * description (e.g. '2 servers leastconn, no maxconn').
 */
export const hungServerRun = ({ name, setting, serverOptions, backendLines }) =>
  heldOut({
    name,
    description:
      `mode http, ${setting}: 40 req/s over 12 keep-alive connections; SIGSTOP s1 at 4 s, SIGCONT at 9 s: ` +
      'how many requests wait on s1, what s2 answers meanwhile, the longest wait, errors.',
    mode: 'http',
    seconds: 14,
    ...(serverOptions === undefined ? {} : { serverOptions }),
    backendLines,
    requests: { rate: 40, connections: 12 },
    actions: stopThenCont('s1', 4, 9),
  });

/**
 * Three roundrobin servers, `on-marked-down shutdown-sessions`, `inter 1500ms fall 2 rise 2` (no
 * timeout check), 60 req/s over 12 kept-alive connections, s1 SIGSTOPped at 4.008 s (its kernel
 * still accepts) and SIGCONTed at `contAt` s: what the requests waiting on s1 get when its checks
 * mark it DOWN (round 12; round 14 with `retry-on`). `settings` are the description's words for
 * `backendLines` and `redispatch`, between the shutdown-sessions and the check timings.
 */
export const hungShutdownRun = ({ name, settings = [], redispatch, seconds, backendLines = [], contAt, what }) =>
  heldOut({
    name,
    description:
      `mode http, 3 servers roundrobin, \`on-marked-down shutdown-sessions\`, ${settings.map((x) => `${x}, `).join('')}` +
      '`inter 1500ms fall 2 rise 2`: 60 req/s over 12 keep-alive connections; SIGSTOP s1 at 4.008 s, ' +
      `SIGCONT at ${contAt} s: ${what}`,
    mode: 'http',
    ...(redispatch === undefined ? {} : { redispatch }),
    seconds,
    servers: THREE_SERVERS,
    serverOptions: 'inter 1500ms fall 2 rise 2 on-marked-down shutdown-sessions',
    backendLines: [...backendLines, LOG_CHECKS],
    requests: { rate: 60, connections: 12 },
    actions: stopThenCont('s1', 4.008, contAt),
  });
