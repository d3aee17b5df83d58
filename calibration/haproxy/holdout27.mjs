// Held-out HAProxy runs, round 27 (session 33, hold27): ghost32 1d1d3160's rule that HAProxy 2.6 in
// mode http, without `option abortonclose`, keeps a request whose client gave up while it waited in
// the queue for a server slot (server maxconn) and sends it at its turn, its answer going nowhere:
// the client's close of a complete request is not read (src/http_ana.c http_end_request():
// channel_dont_read()), and src/backend.c back_try_conn_req() in SC_ST_QUE aborts a queued stream
// only when back_may_abort_req() holds (CF_READ_ERROR, or CF_SHUTW_NOW with PR_O_ABRT_CLOSE or an
// empty request channel). The model before it (1d1d3160^) let a queued stream go at its client's
// give-up. With `option abortonclose` in `defaults` (where HAProxy 2.6.12 reads it: round 26) the
// client's close is read and the stream ends: the one in service is aborted and its slot goes to the
// next queued request (ghost32 4867ac73: the stream ends at its client's close; 4867ac73^ kept an
// open-loop client's stream on its server until its answer).
//
// One bare node app (holdout26-worker.mjs app, backlog 511) that answers each /r/<k> 1 s after
// reading it (a timer, Connection: close), `server s1 … maxconn 1`, `timeout queue 30s` (unset it
// would be timeout connect's 5 s: src/cfgparse.c), retries 3, timeout connect 5s, check inter 30s
// (one check, before the load). 8 requests, 10 a second paced (the first at 100 ms), each on a new
// client connection, each given up by its client 1450 ms after it was sent (a close with nothing
// unread: FIN). Request 1 is answered at 1.1 s; requests 2-8 give up at 1.65-2.35 s, request 2 in
// service and 3-8 in HAProxy's queue.
// Read: the app's recv / done / gone lines (which request, when), the clients' outcomes, HAProxy's
// log lines (termination state, Tw), `show stat` every 250 ms (qcur, scur) and `ss -tan` once a second.
// Twins calibration/scenarios/haproxy-holdout27-*.yaml, predictions
// calibration/data/holdout27-predictions.json (and the old models') committed before the runs were
// recorded; the comparison is test/calibration/holdout27.test.ts.
//
//   flock /work/wt/calib.lock node calibration/haproxy/holdout27.mjs --rt 10 [--only abortonclose]
//   flock /work/wt/calib.lock node calibration/haproxy/holdout27.mjs --rt 10 --only holdout27b   (second batch)
import { fileURLToPath } from 'node:url';
import { bareLabMain } from './bare-lab.mjs';
import { summariseHoldout26 } from './holdout26.mjs';

const WORKER = fileURLToPath(new URL('./holdout26-worker.mjs', import.meta.url));

/** abortonclose: false or 'defaults' (defaultsLines: the frontend has it too). */
const run = (name, abortonclose) => ({
  name,
  description:
    `mode http${abortonclose ? ', option abortonclose (defaults section)' : ''}, one server, maxconn 1, timeout queue 30s, retries 3, ` +
    'timeout connect 5s, check inter 30s: a bare node app answering each request 1 s after reading it (Connection: close); ' +
    '8 requests 10/s paced from 0.1 s, each on a new client connection, given up after 1450 ms: which requests the app ' +
    "receives and when, HAProxy's queue and streams (show stat), its log's termination states.",
  worker: WORKER,
  mode: 'http',
  summarise: summariseHoldout26,
  redispatch: false,
  servers: ['s1'],
  serverOptions: 'inter 30s maxconn 1',
  backendLines: ['timeout queue 30s'],
  ...(abortonclose === 'defaults' ? { defaultsLines: ['option abortonclose'] } : {}),
  sockets: true,
  apps: { s1: [511, 1000] },
  clients: { seconds: 11, args: [10, 8, 1450, 11] },
  actions: [],
});

/** curl's lines (holdout27b-worker.mjs): transfers by http_code, its resends, its exit codes. */
export function summariseCurl(clientLines) {
  const codes = {};
  const exits = {};
  let resends = 0;
  for (const line of clientLines) {
    const [kind, , a] = line.split(' ');
    if (kind === 'w') codes[a] = (codes[a] ?? 0) + 1;
    else if (kind === 'exit') exits[a] = (exits[a] ?? 0) + 1;
    else if (kind === 'v' && /Connection died, retrying a fresh connect/.test(line)) resends++;
  }
  return { codes, exits, resends };
}

const CURL_WORKER = fileURLToPath(new URL('./holdout27b-worker.mjs', import.meta.url));

export const HOLDOUT27_EXPERIMENTS = [
  run('haproxy-holdout27-queued-ghosts-http', false),
  run('haproxy-holdout27-queued-ghosts-abortonclose-defaults-http', 'defaults'),
  // Second batch (after the first's recording): clients32 c1b2514f, curl's resend of a request that
  // failed on a reused keep-alive connection before any byte of its answer (curl 7.88.1
  // lib/transfer.c Curl_retry_request(): conn->bits.reuse and nothing received; lib/multi.c
  // multi_runsingle() asks it on a done transfer or CURLE_RECV_ERROR). Mode tcp (the client's own
  // connection relayed), two bare node apps (bare-l4-worker.mjs, keepAliveTimeout 5000 ms) answering
  // /slow/300 after 300 ms; 12 curl processes started 20 ms apart from 0.1 s, 8 URLs each on one
  // connection; kill -9 s2 at 1.55 s, when each of its 6 curls has a request in flight on its reused
  // connection (curl k's transfers end at 0.1 + 0.02 k + 0.3 j s: 30-250 ms before or after the kill).
  // Checks every 2 s, fall 3: s2 goes DOWN ≈ 4-6 s after the kill; until then a new connection sent
  // to it is refused and retried (retries 3, option redispatch: the last one to s1).
  {
    name: 'haproxy-holdout27b-curl-resend-kill-tcp',
    description:
      'mode tcp, roundrobin, retries 3, option redispatch, checks inter 2s fall 3 rise 2: 12 curl 7.88.1 processes 20 ms apart from ' +
      '0.1 s, 8 GET /slow/300 each on one keep-alive connection, to two bare node apps (keepAliveTimeout 5000 ms); ' +
      "kill -9 s2 at 1.55 s: whether curl sends the request in flight on the dead app's reused connection again.",
    worker: CURL_WORKER,
    mode: 'tcp',
    summarise: summariseCurl,
    redispatch: true,
    backendLines: [],
    apps: { s1: [5000], s2: [5000] },
    clients: { seconds: 9, args: [12, 20, 8, '/slow/300', 9] },
    actions: [{ at: 1.55, op: 'kill', server: 's2' }],
  },
];

if (process.argv[1] === fileURLToPath(import.meta.url))
  await bareLabMain(HOLDOUT27_EXPERIMENTS, (s) => console.log(`  ${JSON.stringify(s)}`));
