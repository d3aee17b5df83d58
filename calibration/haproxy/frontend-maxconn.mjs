// HAProxy's frontend `maxconn` (session 34, maxconn34): a frontend at its maxconn stops accepting
// (src/listener.c listener_accept(): `p->feconn >= p->maxconn` → limit_listener(), the listener
// taken out of polling), and listener_release() (a connection's session freed) resumes it
// (resume_listener(), dequeue_proxy_listeners()). Meanwhile the kernel completes handshakes into the
// listening socket's accept queue, min(backlog, somaxconn) + 1 of them (backlog: listener_backlog(),
// the frontend's maxconn when no `backlog` is set), and drops SYNs beyond it; the clients' kernel
// retransmits them (tcp_syn_retries, tcp_syn_linear_timeouts).
//
// One namespace; HAProxy 2.6 (nbthread 1) mode http, `frontend fe` with `maxconn 10`, one server:
// a node app answering each request 1500 ms after reading it (Connection: close). 30 clients connect
// at once and send one request each (Connection: close). Read: each client's connect and answer
// times, the app's receive times (when HAProxy accepted the connection, read and forwarded its
// request), and `ss -lnt` of the listener every 50 ms (Recv-Q: the accept queue; Send-Q: the backlog).
//
//   flock /work/wt/calib.lock node calibration/haproxy/frontend-maxconn.mjs [http|close|close-abort|close-queued]
// Writes calibration/data/haproxy-frontend-maxconn-<experiment>.json; compared by
// test/calibration/haproxy-frontend-maxconn.test.ts (http) and haproxy-frontend-maxconn-close.test.ts.
//
// `close`, `close-abort` (session 35, maxconn35): when a slot frees. `maxconn 1`, the app answering
// after 3000 ms, 2 clients 2000 ms apart, each closing its socket 1500 ms after its connect when not
// answered. The first client's stream goes on after its close without `option abortonclose`
// (`close`): HAProxy frees the session when the stream ends (session_free() → listener_release());
// with it in `defaults` (`close-abort`) the stream ends at the close. The app's receive time of the
// second request says when HAProxy accepted the second connection. `close-queued`: the second client
// connects 500 ms after the first and closes at 2000 ms while still in the accept queue; whether its
// request reaches the app when HAProxy accepts it at 3 s.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanupAll, createNamespace, nsCounters, nsExecSync, readSysctl, spawnInNamespace } from '../lib/netns.mjs';

const WORKER = fileURLToPath(new URL('./frontend-maxconn-worker.mjs', import.meta.url));
const EXPERIMENTS = {
  http: { maxconn: 10, clients: 30, delayMs: 1500, gapMs: 0, timeoutMs: 0, abortonclose: false },
  close: { maxconn: 1, clients: 2, delayMs: 3000, gapMs: 2000, timeoutMs: 1500, abortonclose: false },
  'close-abort': { maxconn: 1, clients: 2, delayMs: 3000, gapMs: 2000, timeoutMs: 1500, abortonclose: true },
  // Sampled 2000 ms past the clients' exit (at 2 s): what HAProxy does with the closed child at 3 s.
  'close-queued': {
    maxconn: 1,
    clients: 2,
    delayMs: 3000,
    gapMs: 500,
    timeoutMs: 1500,
    abortonclose: false,
    lingerMs: 2000,
  },
};
const EXPERIMENT = process.argv[2] ?? 'http';
const X = EXPERIMENTS[EXPERIMENT];
if (X === undefined) throw new Error(`unknown experiment ${EXPERIMENT}`);
const OUT = fileURLToPath(new URL(`../data/haproxy-frontend-maxconn-${EXPERIMENT}.json`, import.meta.url));
const MAXCONN = X.maxconn;
const CLIENTS = X.clients;
const DELAY_MS = X.delayMs;

const cfg = `global
    nbthread 1
    maxconn 1000
defaults
    mode http${X.abortonclose ? '\n    option abortonclose' : ''}
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend fe
    bind 127.0.0.1:8080
    maxconn ${MAXCONN}
    default_backend be
backend be
    server s1 127.0.0.1:9000
`;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function lines(child) {
  const got = [];
  let buf = '';
  child.stdout.on('data', (b) => {
    buf += b;
    let i = buf.indexOf('\n');
    while (i >= 0) {
      got.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
      i = buf.indexOf('\n');
    }
  });
  return got;
}

async function main() {
  const ns = createNamespace('femaxconn');
  const dir = mkdtempSync(join(tmpdir(), 'femaxconn-'));
  const cfgPath = join(dir, 'haproxy.cfg');
  writeFileSync(cfgPath, cfg);
  const app = spawnInNamespace(ns, ['node', WORKER, 'app', '9000', String(DELAY_MS)]);
  const appLines = lines(app);
  const haproxy = spawnInNamespace(ns, ['haproxy', '-db', '-f', cfgPath]);
  haproxy.stderr.on('data', (b) => process.stderr.write(b));
  await sleep(1000);
  const before = nsCounters(ns);
  const samples = [];
  let start = 0;
  const clients = spawnInNamespace(ns, [
    'node',
    WORKER,
    'clients',
    '8080',
    String(CLIENTS),
    String(X.gapMs),
    String(X.timeoutMs),
  ]);
  const clientLines = lines(clients);
  const exited = new Promise((r) => clients.on('exit', r));
  let running = true;
  exited
    .then(() => sleep(X.lingerMs ?? 0))
    .then(() => {
      running = false;
    });
  while (running) {
    const t = Date.now();
    const ss = nsExecSync(ns, ['ss', '-Hlnt', 'sport = :8080']).trim();
    const [, recvQ, sendQ] = ss.split(/\s+/);
    if (start === 0) {
      const s = clientLines.find((l) => l.startsWith('start '));
      if (s) start = Number(s.split(' ')[1]);
    }
    samples.push({
      at: start === 0 ? null : Number(((t - start) / 1000).toFixed(3)),
      recvQ: Number(recvQ),
      sendQ: Number(sendQ),
    });
    await sleep(50);
  }
  while (running) await sleep(50);
  const after = nsCounters(ns);
  const counters = {};
  for (const k of ['TcpExtListenOverflows', 'TcpExtListenDrops', 'TcpExtTCPSynRetrans', 'TcpRetransSegs'])
    counters[k] = (after[k] ?? 0) - (before[k] ?? 0);
  const sysctls = {};
  for (const k of ['net.core.somaxconn', 'net.ipv4.tcp_syn_retries', 'net.ipv4.tcp_syn_linear_timeouts'])
    sysctls[k] = readSysctl(ns, k);
  const recvs = appLines
    .filter((l) => l.startsWith('recv '))
    .map((l) => {
      const [, ms, url] = l.split(' ');
      return { k: Number(url.split('/')[2]), at: Number(((Number(ms) - start) / 1000).toFixed(3)) };
    });
  const perClient = {};
  for (const l of clientLines) {
    const [kind, k, a, b] = l.split(' ');
    if (kind === 'c') (perClient[k] ??= { k: Number(k) }).connected = Number(a);
    else if (kind === 'q') Object.assign((perClient[k] ??= { k: Number(k) }), { outcome: a, done: Number(b) });
  }
  for (const r of recvs) perClient[r.k].received = r.at;
  const arrivals =
    X.gapMs > 0
      ? `${CLIENTS} clients connect ${X.gapMs} ms apart, closing their socket ${X.timeoutMs} ms after the connect when not answered (outcome timeout),`
      : `${CLIENTS} clients connect at once`;
  const result = {
    description:
      `HAProxy mode http${X.abortonclose ? ' (option abortonclose in defaults)' : ''}, nbthread 1, frontend maxconn ${MAXCONN} (no backlog: listen(2) gets the maxconn), one server ` +
      `(a node app answering each request ${DELAY_MS} ms after reading it, Connection: close); ${arrivals} ` +
      'and send one request each (Connection: close). connected: the client connect() succeeded; received: the app read ' +
      "the request (HAProxy had accepted the connection); done: the client read the answer. ss: the listener's Recv-Q (accept queue) every 50 ms.",
    haproxy: execFileSync('haproxy', ['-v'], { encoding: 'utf8' }).split('\n')[0],
    kernel: execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim(),
    node: process.version,
    recordedAt: new Date().toISOString(),
    config: cfg,
    sysctls,
    counters,
    clients: Object.values(perClient).sort((x, y) => x.k - y.k),
    ss: samples.filter((s) => s.at !== null),
  };
  writeFileSync(OUT, `${JSON.stringify(result, null, 1)}\n`);
  haproxy.kill('SIGTERM');
  cleanupAll();
  console.log(`wrote ${OUT}`);
}

main().catch((e) => {
  cleanupAll();
  console.error(e);
  process.exit(1);
});
