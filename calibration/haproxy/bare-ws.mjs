// WebSocket sessions through HAProxy mode http straight to bare node app servers (session 15:
// `backends[].proxy: none` with `clients.ws`), recorded in a fresh namespace (../lib/netns.mjs):
// two apps (bare-ws-worker.mjs app: the upgrade, pings, a SIGTERM handler that closes its sessions
// with 1001), HAProxy 2.6 in front (config.mjs, its log on stdout), raw WebSocket clients that
// reconnect a fixed delay after every end, a kill -9 or SIGTERM of s1; `show stat` every 250 ms.
//
//   node calibration/haproxy/bare-ws.mjs [--only <substring>] [--rt <prio>] [--out <dir>]   (bare-lab.mjs)
//
// Each run's drainsim twin is calibration/scenarios/<name>.yaml, its prediction committed before
// the recording (calibration/data/haproxy-bare-ws-predictions.json); the comparison is
// test/calibration/haproxy-bare-ws.test.ts. Data: data/<name>[-rt].json.
import { fileURLToPath } from 'node:url';
import { bareLabMain } from './bare-lab.mjs';

const WORKER = fileURLToPath(new URL('./bare-ws-worker.mjs', import.meta.url));

/** Session opens, closes by code and upgrade failures, per server; the DOWN/UP lines of HAProxy. */
export function summariseBareWs(clientLines, haproxyLines, t0) {
  const rel = (ms) => Math.round(Number(ms) - t0) / 1000;
  const opens = {};
  const closes = {};
  const fails = {};
  const perSecond = {};
  for (const line of clientLines) {
    const [kind, t, , a, b] = line.split(' ');
    if (kind === 'open') opens[a] = (opens[a] ?? 0) + 1;
    else if (kind === 'close') {
      const key = `${a}:${b}`;
      closes[key] = (closes[key] ?? 0) + 1;
    } else if (kind === 'fail') fails[a] = (fails[a] ?? 0) + 1;
    else continue;
    const s = Math.floor(rel(t));
    const k = kind === 'close' ? `close${b}` : kind === 'fail' ? a : kind;
    perSecond[k] ??= {};
    perSecond[k][s] = (perSecond[k][s] ?? 0) + 1;
  }
  const states = haproxyLines
    .filter(({ line }) => /Server be\/\S+ is (DOWN|UP)/.test(line))
    .map(({ t, line }) => ({ t, server: /be\/(\S+)/.exec(line)[1], state: /is (DOWN|UP)/.exec(line)[1], line }));
  return { opens, closes, fails, perSecond, states };
}

/**
 * The runs (bare-lab.mjs runBareLab). apps: per server [appPingMs, closeOnTerm, graceMs];
 * clients.args: [count, seconds, pingMs, reconnectMs]; actions: kill (-9) or sigterm of a server
 * at `at` s after the clients start.
 */
const wsRun = (run) => ({ worker: WORKER, mode: 'http', summarise: summariseBareWs, ...run });

export const BARE_WS_EXPERIMENTS = [
  wsRun({
    name: 'haproxy-bare-ws-kill-http',
    description:
      'mode http, roundrobin, retries 3, no redispatch, checks inter 2s fall 3 rise 2: 40 WebSocket sessions ' +
      '(client pings every 1 s) to two bare node apps; kill -9 s1 at 5 s; every client reconnects 1 s after ' +
      'its session ends or its upgrade fails: 1006s, the 503s of upgrades HAProxy gives s1 until it is DOWN.',
    redispatch: false,
    backendLines: [],
    apps: { s1: [0, 0, 0], s2: [0, 0, 0] },
    clients: { seconds: 18, args: [40, 18, 1000, 1000] },
    actions: [{ at: 5, op: 'kill', server: 's1' }],
  }),
  wsRun({
    name: 'haproxy-bare-ws-sigterm-tunnel-http',
    description:
      'mode http, roundrobin, option redispatch, `timeout tunnel 3s`: 40 WebSocket sessions, client pings every ' +
      '5 s; s1 pings every 1 s (its tunnels never idle), s2 does not (HAProxy closes them 3 s after the upgrade, ' +
      '1006); SIGTERM s1 at 8 s: it closes its listener and its sessions with 1001; reconnect 1 s after every end.',
    redispatch: true,
    backendLines: ['timeout tunnel 3s'],
    apps: { s1: [1000, 1, 5000], s2: [0, 1, 5000] },
    clients: { seconds: 20, args: [40, 20, 5000, 1000] },
    actions: [{ at: 8, op: 'sigterm', server: 's1' }],
  }),
];

if (process.argv[1] === fileURLToPath(import.meta.url))
  await bareLabMain(BARE_WS_EXPERIMENTS, (s) => {
    console.log(
      `  opens ${JSON.stringify(s.opens)} closes ${JSON.stringify(s.closes)} fails ${JSON.stringify(s.fails)}`,
    );
    console.log(`  states ${JSON.stringify(s.states.map(({ t, server, state }) => [t, server, state]))}`);
  });
