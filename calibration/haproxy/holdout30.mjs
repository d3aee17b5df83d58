// Held-out round 30 (session 35, hold30), HAProxy's frontend `maxconn` (maxconn34 9e81ec4e,
// lb.frontend_maxconn / lb.frontend_backlog) with parameters no recording has used: a frontend at
// its maxconn stops accepting (src/listener.c listener_accept(): `p->feconn >= p->maxconn` →
// limit_listener()) until a client connection's session is freed (listener_release() →
// resume_listener()); meanwhile the kernel completes handshakes into the listening socket's accept
// queue, min(backlog, somaxconn) + 1 of them (backlog: `backlog`, else the frontend's maxconn:
// listener_backlog()), and drops SYNs beyond it (tcp_conn_request: ListenOverflows), which the
// clients' kernel retransmits (TCP_TIMEOUT_INIT 1 s, tcp_syn_linear_timeouts).
//
// Each run in a namespace of its own (lib/netns.mjs, deleted at the end): HAProxy 2.6 (nbthread 1)
// mode http, one server, the node app of frontend-maxconn-worker.mjs (`app`: each request answered
// `delayMs` after it is read, Connection: close); the paced clients of holdout30-worker.mjs, client
// k connecting at (k − 1) × intervalMs, one request each (Connection: close). The connects are paced
// (not a burst) so that HAProxy's accept keeps up with them: the model accepts at the SYN, and a
// burst of connect()s outruns HAProxy's first accept (haproxy-frontend-maxconn.test.ts's known gap).
// Read: each client's connect start, connect, answer and outcome, the app's receive times, the
// listener's `ss -lnt` Recv-Q / Send-Q every 50 ms, the namespace's TCP counters.
//
//   flock /work/wt/calib.lock node calibration/haproxy/holdout30.mjs --rt 10 [--only <run suffix>]
// (`--smoke`: a small run of its own instead, written to the system's temporary directory.)
// Writes calibration/data/<run>-rt.json; compared by test/calibration/holdout30.test.ts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { scheduleRecorder } from '../gunicorn/record-sigterm-run.mjs';
import {
  cleanupAll,
  createNamespace,
  deleteNamespace,
  namespaceSupport,
  nsCounters,
  nsExecSync,
  readSysctl,
  spawnInNamespace,
  stopChild,
} from '../lib/netns.mjs';
import { sourceCommit } from '../lib/source-commit.mjs';

const APP = fileURLToPath(new URL('./frontend-maxconn-worker.mjs', import.meta.url));
const CLIENTS = fileURLToPath(new URL('./holdout30-worker.mjs', import.meta.url));
const DATA = fileURLToPath(new URL('../data/', import.meta.url));

/** The round's HAProxy runs: the frontend's maxconn and backlog (null: unset), the clients, the app's delay. */
export const HOLDOUT30_HAPROXY_RUNS = [
  {
    name: 'haproxy-holdout30-maxconn4-backlog3-paced20ms-http',
    maxconn: 4,
    backlog: 3,
    clients: 20,
    intervalMs: 20,
    delayMs: 1000,
  },
  {
    name: 'haproxy-holdout30-maxconn6-paced10ms-half-second-http',
    maxconn: 6,
    backlog: null,
    clients: 30,
    intervalMs: 10,
    delayMs: 500,
  },
];

/** The harness's smoke test (`--smoke`, written to the system's temporary directory): not a round-30 run. */
const SMOKE = { name: 'haproxy-holdout30-smoke', maxconn: 2, backlog: 1, clients: 5, intervalMs: 100, delayMs: 300 };

/** A run's haproxy.cfg. */
export const configOf = (run) => `global
    nbthread 1
    maxconn 1000
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend fe
    bind 127.0.0.1:8080
    maxconn ${run.maxconn}
${run.backlog === null ? '' : `    backlog ${run.backlog}\n`}    default_backend be
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

async function record(run, rt, outDir = DATA) {
  const ns = createNamespace('hold30');
  const dir = mkdtempSync(join(tmpdir(), 'hold30-'));
  const cfgPath = join(dir, 'haproxy.cfg');
  const cfg = configOf(run);
  writeFileSync(cfgPath, cfg);
  const load = loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  const startedAt = new Date().toISOString();
  const app = spawnInNamespace(ns, ['node', APP, 'app', '9000', String(run.delayMs)]);
  const appLines = lines(app);
  const haproxy = spawnInNamespace(ns, ['haproxy', '-db', '-f', cfgPath]);
  const haproxyErr = [];
  haproxy.stderr.on('data', (b) => haproxyErr.push(String(b)));
  await sleep(1000);
  const before = nsCounters(ns);
  const samples = [];
  let start = 0;
  const clients = spawnInNamespace(ns, ['node', CLIENTS, '8080', String(run.clients), String(run.intervalMs)]);
  const clientLines = lines(clients);
  const exited = new Promise((r) => clients.on('exit', r));
  let running = true;
  exited.then(() => {
    running = false;
  });
  const deadline = Date.now() + 40_000;
  while (running && Date.now() < deadline) {
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
  if (running) stopChild(clients);
  const after = nsCounters(ns);
  const counters = {};
  for (const k of [
    'TcpExtListenOverflows',
    'TcpExtListenDrops',
    'TcpExtTCPSynRetrans',
    'TcpRetransSegs',
    'TcpExtTCPReqQFullDoCookies',
    'TcpExtTCPReqQFullDrop',
  ])
    counters[k] = (after[k] ?? 0) - (before[k] ?? 0);
  const sysctls = {};
  for (const k of ['net.core.somaxconn', 'net.ipv4.tcp_syn_retries', 'net.ipv4.tcp_syn_linear_timeouts'])
    sysctls[k] = readSysctl(ns, k);
  const perClient = {};
  const of = (k) => {
    perClient[k] ??= { k: Number(k) };
    return perClient[k];
  };
  for (const l of clientLines) {
    const [kind, k, a, b] = l.split(' ');
    if (kind === 's') of(k).started = Number(a);
    else if (kind === 'c') of(k).connected = Number(a);
    else if (kind === 'q') Object.assign(of(k), { outcome: a, done: Number(b) });
  }
  for (const l of appLines.filter((x) => x.startsWith('recv '))) {
    const [, ms, url] = l.split(' ');
    of(url.split('/')[2]).received = Number(((Number(ms) - start) / 1000).toFixed(3));
  }
  stopChild(haproxy);
  stopChild(app);
  await sleep(200);
  deleteNamespace(ns);
  const data = {
    stamp: {
      experiment: run.name,
      what:
        `HAProxy mode http, nbthread 1, frontend maxconn ${run.maxconn}` +
        `${run.backlog === null ? ' (no backlog: listen(2) gets the maxconn)' : `, backlog ${run.backlog}`}, one server ` +
        `(a node app answering each request ${run.delayMs} ms after reading it, Connection: close); ${run.clients} clients, ` +
        `client k connecting at (k − 1) × ${run.intervalMs} ms, one request each (Connection: close). started: connect() ` +
        'called; connected: it succeeded; received: the app read the request (HAProxy had accepted the connection); done: ' +
        "the client read the answer (s from the clients' start). ss: the listener's Recv-Q (accept queue) every 50 ms.",
      haproxy: execFileSync('haproxy', ['-v'], { encoding: 'utf8' }).split('\n')[0],
      kernel: execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim(),
      node: process.version,
      startedAt,
      loadavgAtStart: load,
      scheduling: rt !== null ? `SCHED_FIFO ${rt}` : 'default',
      sourceCommit: sourceCommit(),
      run,
    },
    config: cfg,
    sysctls,
    counters,
    clients: Object.values(perClient).sort((x, y) => x.k - y.k),
    ss: samples.filter((s) => s.at !== null),
    haproxyStderr: haproxyErr.join('').split('\n').filter(Boolean),
  };
  const file = join(outDir, `${run.name}${rt !== null ? '-rt' : ''}.json`);
  writeFileSync(file, `${JSON.stringify(data, null, 1)}\n`);
  const answered = data.clients.filter((c) => c.outcome === '200').length;
  console.log(`${run.name}: ${answered} × 200, counters ${JSON.stringify(counters)} → ${file}`);
}

async function main() {
  const { values } = parseArgs({
    options: { rt: { type: 'string' }, only: { type: 'string' }, smoke: { type: 'boolean' } },
  });
  const support = namespaceSupport();
  if (!support.ok) {
    console.error(`holdout30: ${support.reason}`);
    process.exit(2);
  }
  const rt = scheduleRecorder(values.rt, 'holdout30');
  if (values.smoke) await record(SMOKE, rt, tmpdir());
  else
    for (const run of HOLDOUT30_HAPROXY_RUNS.filter((r) => values.only === undefined || r.name.includes(values.only)))
      await record(run, rt);
  cleanupAll();
}

if (process.argv[1] === fileURLToPath(import.meta.url))
  main().catch((e) => {
    cleanupAll();
    console.error(e);
    process.exit(1);
  });
