// What the held-out HAProxy rounds 7-9 (holdout7.mjs, holdout8.mjs, holdout9.mjs) share: the
// `option log-health-checks` line that states HAProxy's start before t0 on every recording
// (test/calibration/haproxy-restated.ts statedUptime()), the three-server backend, the kill /
// restart and SIGSTOP / SIGCONT action pairs, and the hung-server run over two servers. Each round
// keeps its own runs: names, descriptions, balance and server settings.
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
