// Held-out HAProxy runs, round 22 (session 28, hold22): two rules of session 27 that no recording
// had checked, each in a run where the model before it gives other figures.
//
// - cc74eea6 (lcl4): in mode tcp HAProxy 2.6 counts a stream on its server from the assignment:
//   assign_server_and_queue() (src/backend.c) calls sess_change_server(s, srv) (src/stream.c:
//   served++, lbprm.server_take_conn -> fwlc_srv_reposition(), src/lb_fwlc.c) before connect_server()
//   sends a SYN, and the count holds through the retries on that server and their turn-around pauses
//   (back_handle_st_cer(), src/backend.c) until the give-up (sess_change_server(s, NULL)). Run (a):
//   mode tcp, 3 bare WebSocket apps, `balance leastconn`, retries 3, no redispatch, `fall 20` (s1
//   stays UP: 20 failed checks 2 s apart); kill -9 s1 at 0.5 s, then 30 WebSocket clients connect
//   at once at 1.0 s and reconnect 1 s after each failure. The burst goes s1, s2, s3, s1, … (10
//   each: s1's refused streams keep their count while retried), s1's 10 fail after 3 s (3 retries
//   1 s apart, leastconn not being BE_LB_KIND_RR) and come back 1 s later onto s1 alone (key 0
//   against 10 and 10): 10 failures every 4 s. The old model counted a refused stream nowhere:
//   all 30 went to s1, and 30 failed every 4 s.
// - a0dba616: `show stat` scur of a server is sv->cur_sess (stats_fill_sv_stats(), src/stats.c),
//   which back_handle_st_cer() lowers for each failed connect and connect_server() raises at the
//   retry: a stream waiting out a turn-around pause keeps its slot (served) but is out of scur. Run
//   (b): mode http, 3 servers leastconn, s2 answering in 4.85 s, s3 in 5.15 s, retries 3, no
//   redispatch, `fall 20`; 3.2 req/s paced over 16 kept-alive connections; kill -9 s1 at 2.97 s.
//   leastconn keeps about 4.4 streams on each server (s1's retried 3 s each), but s1's scur stays 0:
//   its streams are always in a pause. The old model read `served`: ≈ 4.2.
//
// Every event is off the others' grid by ≥ 50 ms: (a) the kill 0.5 s before the burst, the
// retries and failures on whole seconds, the show-stat samples on quarter seconds (the figures'
// windows end on x.5 s); (b) arrivals every 312.5 ms, s1's retries 1, 2 and 3 s after its request
// (62.5, 125, 187.5 ms off the grid), s2's answer 4.85 s (150 ms off), s3's 5.15 s (150 ms), the
// kill 2.97 s (156 ms after the arrival of 2.8125 s).
// The twins (calibration/scenarios/haproxy-holdout22-*.yaml) and their predictions
// (calibration/data/holdout22-predictions.json) were committed before the runs were recorded; the
// comparison is test/calibration/holdout22.test.ts.
//
//   flock /work/wt/calib.lock node calibration/haproxy/holdout22.mjs --rt 10              (a: bare-lab.mjs)
//   flock /work/wt/calib.lock node calibration/run.mjs --only haproxy-holdout22 --parallel 1 --rt 10   (b)
import { fileURLToPath } from 'node:url';
import { bareLabMain } from './bare-lab.mjs';
import { summariseBareWs } from './bare-ws.mjs';
import { heldOut, LOG_CHECKS } from './holdout-common.mjs';

const LEASTCONN = 'balance leastconn';
const WS_WORKER = fileURLToPath(new URL('./bare-ws-worker.mjs', import.meta.url));

/**
 * (a) bare-lab.mjs runBareLab: apps per server [appPingMs, closeOnTerm, graceMs]; clients.args
 * [count, seconds, pingMs, reconnectMs, pongTimeoutMs, startMs]: 30 sessions, no pings, a
 * reconnect 1 s after every end, opened 1 s after the clients' start.
 */
export const HOLDOUT22_BARE_EXPERIMENTS = [
  {
    name: 'haproxy-holdout22-leastconn-refused-burst-3srv-tcp',
    description:
      'mode tcp, 3 bare node WebSocket apps, balance leastconn, retries 3, no redispatch, `fall 20`: kill -9 s1 at ' +
      '0.5 s (still UP: its connects refused and retried on it), 30 WebSocket clients connect at once at 1.0 s and ' +
      "reconnect 1 s after every failure: how the burst spreads (s1's refused streams counted from their assignment), failures, scur.",
    worker: WS_WORKER,
    mode: 'tcp',
    summarise: summariseBareWs,
    redispatch: false,
    servers: ['s1', 's2', 's3'],
    serverOptions: 'fall 20',
    backendLines: [LEASTCONN],
    apps: { s1: [0, 0, 0], s2: [0, 0, 0], s3: [0, 0, 0] },
    clients: { seconds: 18, args: [30, 18, 0, 1000, 0, 1000] },
    actions: [{ at: 0.5, op: 'kill', server: 's1' }],
  },
];

const scurKill = heldOut({
  name: 'haproxy-holdout22-leastconn-scur-kill-3srv-http',
  description:
    'mode http, 3 servers leastconn, retries 3, no redispatch, `fall 20`; s2 answering in 4.85 s, s3 in 5.15 s: ' +
    '3.2 req/s paced over 16 keep-alive connections; kill -9 s1 at 2.97 s (still UP: its refused streams retry on ' +
    "it, 503 after 3 s): s1's scur while its streams wait out their turn-around pauses.",
  mode: 'http',
  seconds: 24,
  servers: [{ name: 's1' }, { name: 's2', delayMs: 4850 }, { name: 's3', delayMs: 5150 }],
  serverOptions: 'fall 20',
  backendLines: [LEASTCONN, LOG_CHECKS],
  requests: { rate: 3.2, connections: 16 },
  actions: [{ at: 2.97, op: 'kill', server: 's1' }],
});

export const HOLDOUT22_EXPERIMENTS = [scurKill];

if (process.argv[1] === fileURLToPath(import.meta.url))
  await bareLabMain(HOLDOUT22_BARE_EXPERIMENTS, (s) => {
    console.log(`  opens ${JSON.stringify(s.opens)} fails ${JSON.stringify(s.fails)}`);
    console.log(`  states ${JSON.stringify(s.states.map(({ t, server, state }) => [t, server, state]))}`);
  });
