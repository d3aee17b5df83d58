// Keep-alive clients through HAProxy mode tcp straight to bare node app servers (session 15:
// `backends[].proxy: none` behind `lb.mode: l4`): the client's own connection, relayed byte for
// byte, is the app's; node's keepAliveTimeout (below the clients' think time) closes it idle, a
// kill -9 closes the app's connections under the clients (bare-l4-worker.mjs; the lab is
// bare-lab.mjs).
//
//   node calibration/haproxy/bare-l4.mjs [--only <substring>] [--rt <prio>] [--out <dir>]
//
// Each run's drainsim twin is calibration/scenarios/<name>.yaml, its prediction committed before
// the recording (calibration/data/haproxy-bare-l4-predictions.json); the comparison is
// test/calibration/haproxy-bare-l4.test.ts. Data: data/<name>[-rt].json.
import { fileURLToPath } from 'node:url';
import { bareLabMain } from './bare-lab.mjs';

const WORKER = fileURLToPath(new URL('./bare-l4-worker.mjs', import.meta.url));

/** Requests by outcome and server, on a new connection or not; idle closes by how, with their idle times; DOWN/UP. */
export function summariseBareL4(clientLines, haproxyLines, t0) {
  const rel = (ms) => Math.round(Number(ms) - t0) / 1000;
  const requests = {};
  const fresh = {};
  const idleCloses = {};
  const idleMs = [];
  for (const line of clientLines) {
    const [kind, t, , a, b, server] = line.split(' ');
    if (kind === 'r') {
      const key = `${a}:${server}`;
      requests[key] = (requests[key] ?? 0) + 1;
      if (b === '1') fresh[a] = (fresh[a] ?? 0) + 1;
    } else if (kind === 'x') {
      const key = `${a}:${server}`;
      idleCloses[key] = (idleCloses[key] ?? 0) + 1;
      idleMs.push({ t: rel(t), ms: Number(b), server });
    }
  }
  const states = haproxyLines
    .filter(({ line }) => /Server be\/\S+ is (DOWN|UP)/.test(line))
    .map(({ t, line }) => ({ t, server: /be\/(\S+)/.exec(line)[1], state: /is (DOWN|UP)/.exec(line)[1] }));
  // HAProxy's stream lines (config.mjs LOG_FORMAT.tcp: `L <accept> <server> - <state> <retries>
  // <Tw> <Tc> <Tt>`); with `option logasap` written once the server connection is up: Tc is the
  // connect's time since the last server assignment (a SYN the full accept queue dropped is sent
  // again 1 s, 3 s … later), Tw the time to that assignment + 1 ms: in mode tcp no request is
  // ever timed (logs.tv_request stays zero), so src/log.c's t_request is -1 and LOG_FMT_TW's
  // `t_queue - t_request` adds 1 ms. A redispatch assigns again (back_handle_st_cer →
  // stream_choose_redispatch → SC_ST_REQ → back_handle_st_req sets t_queue); a retry to the same
  // server (SC_ST_ASS / SC_ST_TAR) keeps it, so its Tc holds the failed attempts.
  const connects = haproxyLines
    .filter(({ line }) => line.startsWith('L '))
    .map(({ t, line }) => {
      const [, , server, , state, retries, tw, tc] = line.split(' ');
      return { t, server, state, retries, tw: Number(tw), tc: Number(tc) };
    });
  return { requests, fresh, idleCloses, idleMs, states, connects };
}

/**
 * The runs (bare-lab.mjs runBareLab). apps: per server [keepAliveTimeoutMs, graceful|plain,
 * backlog]; clients.args: [count, seconds, thinkMs, path].
 */
export const BARE_L4_EXPERIMENTS = [
  {
    name: 'haproxy-bare-l4-keepalive-kill-tcp',
    description:
      'mode tcp, roundrobin, retries 3, option redispatch, checks inter 2s fall 3 rise 2: 60 keep-alive clients ' +
      '(GET /slow/1000, think 4 s) to two bare node apps with keepAliveTimeout 2000 ms (below the think time); ' +
      'kill -9 s1 at 10.5 s (half of the requests in flight): idle closes by the app and their idle time, requests answered by EOF, redispatch.',
    worker: WORKER,
    mode: 'tcp',
    summarise: summariseBareL4,
    redispatch: true,
    backendLines: [],
    apps: { s1: [2000], s2: [2000] },
    clients: { seconds: 20, args: [60, 20, 4000, '/slow/1000'] },
    actions: [{ at: 10.5, op: 'kill', server: 's1' }],
  },
  {
    name: 'haproxy-bare-l4-keepalive-sigterm-tcp',
    description:
      'mode tcp, roundrobin, retries 3, option redispatch, checks inter 2s fall 3 rise 2: 60 keep-alive clients ' +
      '(GET /slow/1000, think 500 ms: below the apps keepAliveTimeout 2000 ms) to two bare node apps whose SIGTERM handler ' +
      'calls server.close(); SIGTERM s1 at 10.5 s, SIGKILL 5.75 s later (its grace, in the middle of a 1-s request of the clients busy at the SIGTERM): whether the busy connections stay ' +
      'on s1 until the kill (node answers keep-alive) and their requests in flight then read EOF.',
    worker: WORKER,
    mode: 'tcp',
    summarise: summariseBareL4,
    redispatch: true,
    backendLines: [],
    apps: { s1: [2000, 'graceful'], s2: [2000, 'graceful'] },
    clients: { seconds: 20, args: [60, 20, 500, '/slow/1000'] },
    actions: [
      { at: 10.5, op: 'sigterm', server: 's1' },
      { at: 16.25, op: 'kill', server: 's1' },
    ],
  },
  {
    // Session 16: the app's own listen backlog behind mode tcp. Each request blocks node's event
    // loop 100 ms (GET /busy/100, Atomics.wait: no CPU), so connects that come meanwhile wait in the kernel's accept
    // queue, min(backlog 4, somaxconn) + 1 = 5 deep; beyond it the SYN is dropped and HAProxy's
    // kernel sends it again 1 s, 3 s … later (Tc). `option logasap`: each stream's log line once
    // its server connection is up, with Tc.
    name: 'haproxy-bare-l4-backlog-tcp',
    description:
      'mode tcp, roundrobin, retries 3, option redispatch, option logasap, checks inter 2s fall 3 rise 2: 40 keep-alive ' +
      'clients starting 25 ms apart (GET /busy/100: the node event loop blocked 100 ms, think 1 s) to two bare node ' +
      'apps listening with backlog 4 (keepAliveTimeout 2000 ms): connects that meet a full accept queue, their ' +
      'connect times (Tc), requests answered.',
    worker: WORKER,
    mode: 'tcp',
    summarise: summariseBareL4,
    redispatch: true,
    frontendLines: ['option logasap'],
    backendLines: [],
    apps: { s1: [2000, 'plain', 4], s2: [2000, 'plain', 4] },
    // The lab samples 2 s past the clients' 12 s (they exit at 13.5 s): every line is in.
    clients: { seconds: 14, args: [40, 12, 1000, '/busy/100'] },
    actions: [],
  },
  {
    // The same with 300 ms per request: 3 s of work queued behind the first connects' requests.
    name: 'haproxy-bare-l4-backlog-busy300-tcp',
    description:
      'mode tcp, roundrobin, retries 3, option redispatch, option logasap, checks inter 2s fall 3 rise 2, timeout check 20s: ' +
      '40 keep-alive clients starting 25 ms apart (GET /busy/300: the node event loop blocked 300 ms, think 1 s) to two ' +
      'bare node apps listening with backlog 4 (keepAliveTimeout 2000 ms): connects that meet a full accept queue, ' +
      'their connect times (Tc), requests answered.',
    worker: WORKER,
    mode: 'tcp',
    summarise: summariseBareL4,
    redispatch: true,
    frontendLines: ['option logasap'],
    backendLines: ['timeout check 20s'],
    apps: { s1: [2000, 'plain', 4], s2: [2000, 'plain', 4] },
    clients: { seconds: 14, args: [40, 12, 1000, '/busy/300'] },
    actions: [],
  },
];

if (process.argv[1] === fileURLToPath(import.meta.url))
  await bareLabMain(BARE_L4_EXPERIMENTS, (s) => {
    console.log(`  requests ${JSON.stringify(s.requests)} fresh ${JSON.stringify(s.fresh)}`);
    console.log(`  idle closes ${JSON.stringify(s.idleCloses)} states ${JSON.stringify(s.states)}`);
    const slow = s.connects.filter((c) => c.tc >= 900);
    console.log(
      `  connects ${s.connects.length}, Tc >= 0.9 s: ${slow.length} ${JSON.stringify(slow.map((c) => c.tc))}`,
    );
  });
