// Held-out HAProxy runs, round 26 (session 32, hold26): ghost31 53120756's rule that HAProxy 2.6 in
// mode http, without `option abortonclose`, goes on connecting for a client that gave up — its SYNs
// dropped by the server's full accept queue are retransmitted by its kernel, and the request is
// served when one gets in, its answer going nowhere (src/http_ana.c http_end_request():
// channel_dont_read() without PR_O_ABRT_CLOSE; src/stream.c process_stream() passes a client's close
// on during SC_ST_CON only with PR_O_ABRT_CLOSE; src/backend.c back_handle_st_con() aborts only on
// CF_SHUTW_NOW); with `option abortonclose` the connect is given up ("client abort during connection
// attempt", termination state CC). The model before the rule (53120756^) let every such connect go.
//
// One bare node app (holdout26-worker.mjs) listening with backlog 1 (2 connections wait in its
// accept queue), answering each request at once with `Connection: close` (one connect per request);
// mode http, retries 3, timeout connect 5s, the check every 30 s (none in the run after HAProxy's
// first). 20 requests a second, paced (the first at 50 ms), each on a new client connection, GET
// /r/<k>, given up by the client after 800 ms (a close with nothing unread: FIN), from t0 to 4.45 s
// (89 requests); SIGSTOP the app at 1.525 s, SIGCONT at 4.525 s. The SYNs of the connects made
// during the stop, past the 2 in the accept queue, are dropped and retransmitted (Linux 6.18,
// tcp_syn_linear_timeouts 4: 1 s apart) until the app resumes: within HAProxy's first 5-s attempt.
// Read: the app's `recv` lines (which request, when), the clients' outcomes, HAProxy's log lines
// (termination state), `ss -tan` once a second (HAProxy's sockets to s1) and ListenOverflows.
// Twins calibration/scenarios/haproxy-holdout26-*.yaml, predictions
// calibration/data/holdout26-predictions.json (and the old model's) committed before the runs were
// recorded; the comparison is test/calibration/holdout26.test.ts.
//
//   flock /work/wt/calib.lock node calibration/haproxy/holdout26.mjs --rt 10 [--only holdout26b]
import { fileURLToPath } from 'node:url';
import { bareLabMain } from './bare-lab.mjs';

const WORKER = fileURLToPath(new URL('./holdout26-worker.mjs', import.meta.url));

/** Clients' requests by outcome; HAProxy's stream log lines by termination state and status. */
export function summariseHoldout26(clientLines, haproxyLines) {
  const outcomes = {};
  for (const line of clientLines) {
    const [kind, , , outcome] = line.split(' ');
    if (kind === 'q') outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  }
  // config.mjs LOG_FORMAT.http: `L <accept> <server> <status> <termination state> <retries> <Tw> <Tc> <Tt>`.
  const terminations = {};
  for (const { line } of haproxyLines) {
    if (!line.startsWith('L ')) continue;
    const [, , , status, state] = line.split(' ');
    const key = `${state} ${status}`;
    terminations[key] = (terminations[key] ?? 0) + 1;
  }
  return { outcomes, terminations };
}

/** abortonclose: false, 'backend' (backendLines) or 'defaults' (defaultsLines: the frontend has it too). */
const run = (name, abortonclose) => ({
  name,
  description:
    `mode http${abortonclose ? `, option abortonclose (${abortonclose} section)` : ''}, one server, retries 3, timeout connect 5s, check inter 30s: ` +
    'a bare node app listening with backlog 1 (Connection: close); 20 req/s paced, each on a new client connection, ' +
    'given up after 800 ms, t0-4.45 s; SIGSTOP the app at 1.525 s, SIGCONT at 4.525 s: which requests of clients ' +
    "already gone the app receives and when, HAProxy's sockets to it, its log's termination states.",
  worker: WORKER,
  mode: 'http',
  summarise: summariseHoldout26,
  redispatch: false,
  servers: ['s1'],
  serverOptions: 'inter 30s',
  backendLines: abortonclose === 'backend' ? ['option abortonclose'] : [],
  ...(abortonclose === 'defaults' ? { defaultsLines: ['option abortonclose'] } : {}),
  sockets: true,
  apps: { s1: [1] },
  clients: { seconds: 9, args: [20, 89, 800, 9] },
  actions: [
    { at: 1.525, op: 'stop', server: 's1' },
    { at: 4.525, op: 'cont', server: 's1' },
  ],
});

export const HOLDOUT26_EXPERIMENTS = [
  run('haproxy-holdout26-ghost-connects-http', false),
  run('haproxy-holdout26-ghost-connects-abortonclose-http', 'backend'),
  // Second batch (after the first's recording, which found the backend-only option ignored by
  // HAProxy 2.6.12: src/stconn.c sc_conn_recv() reads PR_O_ABRT_CLOSE on the stream's `be`, still
  // the frontend when the request completes): the option in `defaults`, so the frontend has it.
  run('haproxy-holdout26b-ghost-connects-abortonclose-defaults-http', 'defaults'),
];

if (process.argv[1] === fileURLToPath(import.meta.url))
  await bareLabMain(HOLDOUT26_EXPERIMENTS, (s) => {
    console.log(`  outcomes ${JSON.stringify(s.outcomes)}`);
    console.log(`  terminations ${JSON.stringify(s.terminations)}`);
  });
