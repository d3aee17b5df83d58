// WebSocket sessions through HAProxy mode http straight to bare node app servers (session 15:
// `backends[].proxy: none` with `clients.ws`), recorded in a fresh namespace (../lib/netns.mjs):
// two apps (bare-ws-worker.mjs app: the upgrade, pings, a SIGTERM handler that closes its sessions
// with 1001), HAProxy 2.6 in front (config.mjs, its log on stdout), raw WebSocket clients that
// reconnect a fixed delay after every end, a kill -9 or SIGTERM of s1; `show stat` every 250 ms.
// Session 16's vanish runs put HAProxy in mode tcp (lb.mode l4) and drop s1's packets (nft);
// their clients close on a pong timeout.
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
 * clients.args: [count, seconds, pingMs, reconnectMs, pongTimeoutMs?]; actions: kill (-9),
 * sigterm or vanish (nft drop) of a server at `at` s after the clients start.
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
  // Session 16: mode tcp (lb.mode l4) in front of the same apps; s1's host vanishes (nft DROP of
  // its port both ways) at 5.5 s, half a second clear of the pings (every second from each
  // session's start at ~0 s). Each s1 client's first unanswered ping (~6 s) times out 4.5 s later:
  // it closes its socket (FIN) at ~10.5 s, after its last ping at ~10 s. How long HAProxy keeps each
  // of those streams — its server's scur in `show stat`, the log line when it ends — is the question.
  // Reconnects 30 s later: none within the run.
  wsRun({
    name: 'haproxy-bare-ws-vanish-tunnel-tcp',
    mode: 'tcp',
    description:
      'mode tcp, roundrobin, `timeout tunnel 8s` (timeout server 30s, tcp_retries2 15): 20 WebSocket sessions ' +
      'to two bare node apps, client pings every 1 s, a ping unanswered 4.5 s closes the socket (FIN); every ' +
      "packet to/from s1 dropped from 5.5 s: how long HAProxy keeps s1's 10 client-closed streams (scur).",
    redispatch: false,
    backendLines: ['timeout tunnel 8s'],
    apps: { s1: [0, 0, 0], s2: [0, 0, 0] },
    clients: { seconds: 25, args: [20, 25, 1000, 30000, 4500] },
    actions: [{ at: 5.5, op: 'vanish', server: 's1' }],
  }),
  wsRun({
    name: 'haproxy-bare-ws-vanish-retries2-tcp',
    mode: 'tcp',
    description:
      'mode tcp, roundrobin, no timeout tunnel (timeout server 30s), net.ipv4.tcp_retries2 5 in the namespace: ' +
      '20 WebSocket sessions to two bare node apps, client pings every 1 s, a ping unanswered 4.5 s closes the ' +
      "socket (FIN); every packet to/from s1 dropped from 5.5 s: whether the balancer host's kernel giving up " +
      "on the unacknowledged pings ends s1's 10 client-closed streams before timeout server.",
    redispatch: false,
    backendLines: [],
    sysctls: { 'net.ipv4.tcp_retries2': 5 },
    apps: { s1: [0, 0, 0], s2: [0, 0, 0] },
    clients: { seconds: 25, args: [20, 25, 1000, 30000, 4500] },
    actions: [{ at: 5.5, op: 'vanish', server: 's1' }],
  }),
];

if (process.argv[1] === fileURLToPath(import.meta.url))
  await bareLabMain(BARE_WS_EXPERIMENTS, (s) => {
    console.log(
      `  opens ${JSON.stringify(s.opens)} closes ${JSON.stringify(s.closes)} fails ${JSON.stringify(s.fails)}`,
    );
    console.log(`  states ${JSON.stringify(s.states.map(({ t, server, state }) => [t, server, state]))}`);
  });
