// Held-out nginx runs, round 28 (session 34, hold28): session 33's rules that no recording had
// checked blind, against nginx 1.22.1 and node 20 on loopback in a namespace this harness creates.
//
// - nginx33 8f5efcf0: a try that fails after the connect (here proxy_read_timeout 1s against an
//   app SIGSTOPped for 3 s) frees its peer as failed (max_fails 1: skipped for fail_timeout 10 s)
//   and ngx_http_upstream_next (src/http/ngx_http_upstream.c) sends the request to the next address
//   of `upstream u { server 127.0.0.1:8080; server 127.0.0.2:8080; }` — a GET, not a POST already
//   sent (no `non_idempotent`); with every peer down nginx answers 502 without a connect ("no live
//   upstreams"). Runs -stop-get and -stop-post: GETs (POSTs) paced 2.5 a second from 0.1 s, each on
//   a new client connection, the app SIGSTOPped at 2.0 s and SIGCONTed at 5.0 s.
// - nginx33 a144cba2: with upstream keepalive a try takes only a cached connection to the address
//   the round robin chose (src/http/modules/ngx_http_upstream_keepalive_module.c
//   ngx_http_upstream_get_keepalive_peer matches the peer's sockaddr): `keepalive 1` behind two
//   addresses alternating reuses nothing. Run -ka1-two-addresses: 50 GETs 10 a second, one at a time.
// - idle33 ad24c14b: Node's http.globalAgent closes a keep-alive connection idle 5 s (node 20
//   lib/_http_agent.js: `new Agent({ keepAlive: true, scheduling: 'lifo', timeout: 5000 })`), so
//   behind nginx's keepalive_timeout 30s a client that thinks 6 s between requests sends each on a
//   new connection. Run -node-agent-think6s: 3 node processes, 7 GETs each, 6 s apart.
//
// Read: nginx's access log (status, $connection, $connection_requests, $upstream_addr: every try's
// address), its error log, the app's `conn` / `req` lines, the clients' lines.
// Twins calibration/scenarios/nginx-holdout28-*.yaml and predictions
// calibration/data/holdout28-predictions.json committed before the runs were recorded; the
// comparison is test/calibration/holdout28.test.ts.
//
//   node calibration/nginx/holdout28.mjs [--only <substring>] [--rt <prio>]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanupAll, createNamespace, recorderArgs, spawnInNamespace } from '../lib/netns.mjs';
import { confHead, makePrefix, readLog, recordingStamp, removePrefix, startNginxReady, tempPaths } from './nginx.mjs';

const APP = fileURLToPath(new URL('./holdout28-app.cjs', import.meta.url));
const CLIENT = fileURLToPath(new URL('./holdout28-client.mjs', import.meta.url));
const DATA = fileURLToPath(new URL('../data/', import.meta.url));
const APP_PORT = 8080;
const PORT = 8081;

/** nginx.conf: one worker, `upstream u` of the two addresses, the run's own lines. */
function conf(prefix, o) {
  return `${[
    ...confHead(prefix, 'calibration/nginx/holdout28.mjs', 1),
    'events { worker_connections 4096; }',
    'http {',
    "  log_format h28 '$msec|$status|$request_time|$connection|$connection_requests|$request_method|$upstream_addr|$upstream_status';",
    `  access_log ${prefix}/access.log h28;`,
    ...tempPaths(prefix),
    `  keepalive_timeout ${o.keepaliveTimeout};`,
    `  upstream u { server 127.0.0.1:${APP_PORT}; server 127.0.0.2:${APP_PORT};${o.keepalive ? ` keepalive ${o.keepalive};` : ''} }`,
    '  server {',
    `    listen 127.0.0.1:${PORT} backlog=4096;`,
    '    location / {',
    '      proxy_pass http://u;',
    ...(o.keepalive ? ['      proxy_http_version 1.1;', '      proxy_set_header Connection "";'] : []),
    `      proxy_read_timeout ${o.proxyReadTimeout};`,
    '    }',
    '  }',
    '}',
  ].join('\n')}\n`;
}

export const HOLDOUT28_RUNS = [
  {
    name: 'nginx-holdout28-next-upstream-stop-get',
    description:
      'worker_processes 1, upstream u { server 127.0.0.1:8080; server 127.0.0.2:8080; } (one node app on 0.0.0.0), no upstream ' +
      'keepalive, proxy_read_timeout 1s; 50 GETs 2.5/s from 0.1 s, each on a new connection; the app SIGSTOPped at 2.0 s, ' +
      'SIGCONTed at 5.0 s: which requests nginx sends to the next address, its 504s and 502s (no live upstreams), when it serves again.',
    nginx: { keepaliveTimeout: '75s', proxyReadTimeout: '1s', keepalive: 0 },
    clients: [['paced', 'GET', 0.1, 0.4, 50]],
    actions: [
      { at: 2.0, signal: 'SIGSTOP' },
      { at: 5.0, signal: 'SIGCONT' },
    ],
    seconds: 22,
  },
  {
    name: 'nginx-holdout28-next-upstream-stop-post',
    description:
      'As -stop-get with POSTs (a 1-byte body): a POST already sent is not sent to the next address (no non_idempotent).',
    nginx: { keepaliveTimeout: '75s', proxyReadTimeout: '1s', keepalive: 0 },
    clients: [['paced', 'POST', 0.1, 0.4, 50]],
    actions: [
      { at: 2.0, signal: 'SIGSTOP' },
      { at: 5.0, signal: 'SIGCONT' },
    ],
    seconds: 22,
  },
  {
    name: 'nginx-holdout28-ka1-two-addresses',
    description:
      'worker_processes 1, upstream u { server 127.0.0.1:8080; server 127.0.0.2:8080; keepalive 1; } (HTTP/1.1, Connection ""): ' +
      "50 GETs 10/s from 0.1 s, each on a new client connection, one at a time: the app's accepted connections.",
    nginx: { keepaliveTimeout: '75s', proxyReadTimeout: '60s', keepalive: 1 },
    clients: [['paced', 'GET', 0.1, 0.1, 50]],
    actions: [],
    seconds: 7,
  },
  {
    name: 'nginx-holdout28-node-agent-think6s',
    description:
      'worker_processes 1, keepalive_timeout 30s, upstream u as above (no upstream keepalive): 3 node 20 processes, each 7 ' +
      'http.get() on http.globalAgent one after another, 6 s after the previous answer, from 0.1/0.3/0.5 s: the connections nginx sees.',
    nginx: { keepaliveTimeout: '30s', proxyReadTimeout: '60s', keepalive: 0 },
    clients: [
      ['agent', 0.1, 6, 7],
      ['agent', 0.3, 6, 7],
      ['agent', 0.5, 6, 7],
    ],
    actions: [],
    seconds: 40,
  },
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A child's stdout as lines, kept in `into`. */
function lines(child, into) {
  let buf = '';
  child.stdout.on('data', (d) => {
    buf += d;
    const parts = buf.split('\n');
    buf = parts.pop();
    into.push(...parts.filter(Boolean));
  });
  child.stderr.on('data', (d) => process.stderr.write(d));
}

async function record(run, rt) {
  const wrap = rt ? ['chrt', '-f', String(rt)] : [];
  const loadavgAtStart = readFileSync('/proc/loadavg', 'utf8').trim();
  const started = new Date();
  const ns = createNamespace('h28');
  const appLines = [];
  const app = spawnInNamespace(ns, [...wrap, 'node', APP, String(APP_PORT)]);
  lines(app, appLines);
  for (let i = 0; i < 50 && !appLines.includes('listening'); i++) await sleep(100);
  if (!appLines.includes('listening')) throw new Error('the app did not listen');
  const prefix = makePrefix((p) => conf(p, run.nginx));
  await startNginxReady(ns, prefix, wrap, (w) => w.length === 1);
  const t0 = Date.now() + 500;
  const clientLines = [];
  const clients = run.clients.map(([mode, ...args]) => {
    const c = spawnInNamespace(ns, [...wrap, 'node', CLIENT, mode, String(PORT), String(t0), ...args.map(String)]);
    lines(c, clientLines);
    return c;
  });
  const actions = [];
  for (const a of run.actions)
    setTimeout(
      () => {
        process.kill(app.pid, a.signal);
        actions.push({ signal: a.signal, t: (Date.now() - t0) / 1000 });
      },
      t0 + a.at * 1000 - Date.now(),
    );
  await sleep(t0 + run.seconds * 1000 - Date.now());
  await Promise.all(
    clients
      .map((c) => (c.exitCode !== null ? null : new Promise((r) => c.on('exit', r))))
      .map((p) => Promise.race([p, sleep(5000)])),
  );
  await sleep(300);
  const access = readLog(prefix, 'access.log').trim().split('\n').filter(Boolean);
  const errors = readLog(prefix, 'error.log').trim().split('\n').filter(Boolean);
  const stamp = {
    ...recordingStamp(prefix, { started, loadavgAtStart, scheduling: rt ? { requested: `SCHED_FIFO ${rt}` } : null }),
    description: run.description,
  };
  // Every child (nginx's master and workers, the app, the clients: their process groups) and the namespace.
  cleanupAll();
  removePrefix(prefix);
  const data = { stamp, t0, actions, clientLines, appLines, access, errors };
  writeFileSync(join(DATA, `${run.name}-rt.json`), `${JSON.stringify(data, null, 1)}\n`);
  return data;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { runs, rt } = recorderArgs(HOLDOUT28_RUNS);
  for (const run of runs) {
    console.log(run.name);
    const d = await record(run, rt);
    const statuses = {};
    for (const l of d.access) statuses[l.split('|')[1]] = (statuses[l.split('|')[1]] ?? 0) + 1;
    console.log(
      `  ${JSON.stringify({ statuses, actions: d.actions, app: d.appLines.length, clients: d.clientLines.length })}`,
    );
  }
}
