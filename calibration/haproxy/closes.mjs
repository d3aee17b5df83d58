// Who closes, who resets, who keeps the TIME_WAIT: HAProxy's own closes of client and server
// connections (issue 12; the model's lb/timeouts.ts and l7-server-conns.ts), recorded on real
// HAProxy in a harness namespace (../lib/netns.mjs), one node backend s1 (closes-worker.mjs
// backend: answers, never closes first) and one client kind per run.
//
//   node calibration/haproxy/closes.mjs [--only <substring>] [--rt <prio>] [--out <dir>]
//
// RSTs are counted by the namespace's own kernel counters (/proc/net/snmp Tcp OutRsts,
// /proc/net/netstat TcpExt TCPAbortOnData = close() with SO_LINGER 0, tcp_close() in
// net/ipv4/tcp.c), read once a second: inside the namespace only HAProxy, s1 and the client have
// sockets, and the client and s1 close cleanly, so every RST is HAProxy's (the backend's own view,
// `reset` ends, is recorded too). TIME_WAITs by holder from `ss -Htan` (countByRole: `front` =
// HAProxy's client-facing sockets, `back:s1` = HAProxy's sockets to s1, `client`, `server:s1`).
// Data: data/haproxy-closes-<name>[-rt].json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createNamespace, deleteNamespace, nsExecSync, spawnInNamespace, stopChild } from '../lib/netns.mjs';
import { countByRole } from '../lib/sample.mjs';
import { sourceCommit } from '../lib/source-commit.mjs';
import { waitForLine } from './lab.mjs';

const WORKER = fileURLToPath(new URL('./closes-worker.mjs', import.meta.url));
const DATA = fileURLToPath(new URL('../data/', import.meta.url));
const FRONT = 8000;
const S1 = 9001;

/** The runs. timeouts: the `timeout` lines of `defaults`; client: closes-worker argv after the port. */
export const CLOSE_EXPERIMENTS = [
  ...[
    ['c5-s10', { client: '5s', server: '10s' }],
    ['c10-s5', { client: '10s', server: '5s' }],
    ['c5-s5', { client: '5s', server: '5s' }],
    ['tunnel5', { client: '30s', server: '30s', tunnel: '5s' }],
  ].map(([tag, timeouts]) => ({
    name: `haproxy-closes-tcp-${tag}`,
    description: `mode tcp, ${Object.entries(timeouts)
      .map(([k, v]) => `timeout ${k} ${v}`)
      .join(
        ', ',
      )}: 20 keep-alive clients each send one request and stay idle until HAProxy closes; each reconnects 0.5 s later, for 24 s; sampled until 7 s after the last connection`,
    mode: 'tcp',
    timeouts,
    client: ['idle', 20, 24, 500],
    seconds: 31,
  })),
  {
    name: 'haproxy-closes-http-ws503',
    description:
      'mode http (timeout client/server 30s, http-reuse safe by default): 5 WebSocket upgrades/s for 15 s, new connection each, s1 answers 503 (kept alive); the client closes 1 s after the response unless HAProxy closed first; sampled until 15 s after the last',
    mode: 'http',
    timeouts: { client: '30s', server: '30s' },
    client: ['ws503', 5, 15, 1000],
    seconds: 31,
  },
  {
    name: 'haproxy-closes-http-perreq',
    description:
      'mode http (timeout client/server 30s, http-reuse safe by default): 50 requests/s for 15 s, a new client connection each, closed by the client once answered; RSTs per second until 15 s after the last',
    mode: 'http',
    timeouts: { client: '30s', server: '30s' },
    client: ['perreq', 50, 15],
    seconds: 31,
  },
];

export function closesConfig({ mode, timeouts }) {
  const fmt = mode === 'http' ? 'L %Ts.%ms %s %ST %ts %rc %Tw %Tc %Tt' : 'L %Ts.%ms %s - %ts %rc %Tw %Tc %Tt';
  return `global
    log stdout format raw local0 info
    maxconn 2000

defaults
    mode ${mode}
    log global
    log-format "${fmt}"
    timeout connect 5s
${Object.entries(timeouts)
  .map(([k, v]) => `    timeout ${k} ${v}\n`)
  .join('')}
frontend fe
    bind 127.0.0.1:${FRONT}
    default_backend be

backend be
    server s1 127.0.0.1:${S1}
`;
}

/** { OutRsts, EstabResets, ActiveOpens, PassiveOpens, TCPAbortOnData, TCPAbortOnClose, … } of the namespace. */
function counters(ns) {
  const pick = {
    Tcp: ['OutRsts', 'EstabResets', 'ActiveOpens', 'PassiveOpens', 'InSegs'],
    TcpExt: ['TCPAbortOnData', 'TCPAbortOnClose', 'TCPAbortOnLinger', 'TCPAbortOnTimeout', 'TW'],
  };
  const out = {};
  for (const file of ['/proc/net/snmp', '/proc/net/netstat']) {
    const lines = nsExecSync(ns, ['cat', file]).trim().split('\n');
    for (let i = 0; i + 1 < lines.length; i += 2) {
      const head = lines[i].split(/\s+/);
      const vals = lines[i + 1].split(/\s+/);
      const group = head[0].replace(':', '');
      for (const k of pick[group] ?? []) {
        const j = head.indexOf(k);
        if (j > 0) out[k] = Number(vals[j]);
      }
    }
  }
  return out;
}

const diff = (a, b) => Object.fromEntries(Object.keys(b).map((k) => [k, b[k] - (a[k] ?? 0)]));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function collect(child, into, t0) {
  createInterface({ input: child.stdout }).on('line', (line) => into.push({ t: (Date.now() - t0()) / 1000, line }));
  createInterface({ input: child.stderr }).on('line', (line) => into.push({ t: (Date.now() - t0()) / 1000, line }));
}

function schedPolicy(pid) {
  try {
    const text = execFileSync('chrt', ['-p', String(pid)], { encoding: 'utf8' });
    return `${text.match(/policy: (\S+)/)?.[1] ?? '?'} ${text.match(/priority: (\d+)/)?.[1] ?? '?'}`;
  } catch {
    return null;
  }
}

/** Counts of the workers' event lines: `close` by how, backend `end` by how, responses by status. */
export function summariseLines(clientLines, backendLines) {
  const count = (lines, kind, field) => {
    const c = {};
    for (const { line } of lines) {
      const f = line.split(' ');
      if (f[0] !== kind) continue;
      const key = f
        .slice(field)
        .join(' ')
        .replace(/ [\d.-]+$/, '');
      c[key] = (c[key] ?? 0) + 1;
    }
    return c;
  };
  const closeDelays = clientLines
    .map(({ line }) => line.split(' '))
    .filter((f) => f[0] === 'close' && f[4] !== undefined && f[4] !== '-')
    .map((f) => Number(f[4]))
    .sort((a, b) => a - b);
  const q = (p) => (closeDelays.length ? closeDelays[Math.floor(p * (closeDelays.length - 1))] : null);
  return {
    clientCloses: count(clientLines, 'close', 3),
    clientResponses: count(clientLines, 'response', 3),
    clientErrors: count(clientLines, 'error', 3),
    idleCloseAfterMs: closeDelays.length ? { n: closeDelays.length, min: q(0), median: q(0.5), max: q(1) } : null,
    backendAccepts: backendLines.filter(({ line }) => line.startsWith('accept ')).length,
    backendEnds: count(backendLines, 'end', 3),
  };
}

export async function runCloses(config, rt) {
  const ns = createNamespace(config.name.replace('haproxy-closes-', 'cl-'));
  const dir = mkdtempSync(join(tmpdir(), 'drainsim-haproxy-closes-'));
  const cfgText = closesConfig(config);
  const cfgPath = join(dir, 'haproxy.cfg');
  writeFileSync(cfgPath, cfgText);
  const wrap = rt ? ['chrt', '-f', String(rt)] : [];
  const children = [];
  const started = new Date();
  const load = execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim();
  let t0 = Date.now();
  const rel = () => t0;
  try {
    const backendLines = [];
    const backend = spawnInNamespace(ns, [...wrap, process.execPath, WORKER, 'backend', String(S1)]);
    children.push(backend);
    await waitForLine(backend, (l) => l === 'listening', 10_000, 'backend listening');
    collect(backend, backendLines, rel);
    const haproxyLines = [];
    const haproxy = spawnInNamespace(ns, [...wrap, 'haproxy', '-db', '-f', cfgPath]);
    children.push(haproxy);
    collect(haproxy, haproxyLines, rel);
    for (let i = 0; ; i++) {
      if (nsExecSync(ns, ['ss', '-Hltn']).includes(`:${FRONT}`)) break;
      if (i > 50) throw new Error('haproxy not listening in 10 s');
      await sleep(200);
    }
    const base = counters(ns);
    const clientLines = [];
    const client = spawnInNamespace(ns, [
      ...wrap,
      process.execPath,
      WORKER,
      config.client[0],
      String(FRONT),
      ...config.client.slice(1).map(String),
    ]);
    children.push(client);
    await waitForLine(client, (l) => l.startsWith('start '), 10_000, 'client start');
    t0 = Date.now();
    collect(client, clientLines, rel);
    const scheduling = { harness: schedPolicy(process.pid), haproxy: schedPolicy(haproxy.pid) };
    const perSecond = [];
    let prev = base;
    for (let s = 1; s <= config.seconds; s++) {
      await sleep(Math.max(0, t0 + s * 1000 - Date.now()));
      const c = counters(ns);
      const d = diff(prev, c);
      prev = c;
      perSecond.push({
        t: s,
        outRsts: d.OutRsts,
        abortOnData: d.TCPAbortOnData,
        abortOnClose: d.TCPAbortOnClose,
        sockets:
          s % 5 === 0 || s === config.seconds
            ? countByRole(nsExecSync(ns, ['ss', '-Htan']), FRONT, { s1: S1 })
            : undefined,
      });
    }
    const final = counters(ns);
    const socketsAtEnd = countByRole(nsExecSync(ns, ['ss', '-Htan']), FRONT, { s1: S1 });
    const versions = execFileSync('haproxy', ['-v'], { encoding: 'utf8' }).trim().split('\n');
    const terminations = {};
    for (const { line } of haproxyLines) {
      const f = line.split(' ');
      if (f[0] !== 'L') continue;
      const k = `${f[3]} ${f[4]}`;
      terminations[k] = (terminations[k] ?? 0) + 1;
    }
    const tw = (role) => socketsAtEnd[role]?.['TIME-WAIT'] ?? 0;
    return {
      experiment: config.name,
      description: config.description,
      stamp: {
        haproxy: versions[0],
        sourceCommit: sourceCommit(),
        kernel: execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim(),
        node: process.version,
        date: started.toISOString(),
        load,
        haproxyCfg: cfgText,
        scheduling,
      },
      config: { mode: config.mode, timeouts: config.timeouts, client: config.client, seconds: config.seconds },
      summary: {
        counters: diff(base, final),
        timeWait: { front: tw('front'), back: tw('back:s1'), client: tw('client'), server: tw('server:s1') },
        terminations,
        ...summariseLines(clientLines, backendLines),
      },
      perSecond,
      socketsAtEnd,
      clientLines: clientLines.map(({ line }) => line),
      backendLines: backendLines.map(({ line }) => line).slice(0, 2000),
      haproxyLines: haproxyLines.map(({ t, line }) => `${t.toFixed(3)} ${line}`).slice(0, 2000),
    };
  } finally {
    for (const c of children) stopChild(c);
    deleteNamespace(ns);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { only: { type: 'string' }, rt: { type: 'string' }, out: { type: 'string', default: DATA } },
  });
  const rt = values.rt ? Number(values.rt) : null;
  if (rt !== null) execFileSync('chrt', ['-a', '-f', '-p', String(rt), String(process.pid)]);
  mkdirSync(values.out, { recursive: true });
  for (const e of CLOSE_EXPERIMENTS) {
    if (values.only && !e.name.includes(values.only)) continue;
    console.log(`${e.name}: ${e.seconds} s …`);
    const data = await runCloses(e, rt);
    const file = join(values.out, `${e.name}${rt !== null ? '-rt' : ''}.json`);
    writeFileSync(file, `${JSON.stringify(data, null, 1)}\n`);
    const { counters: c, timeWait, clientCloses, backendEnds, terminations } = data.summary;
    console.log(
      `  RSTs ${c.OutRsts} (linger-0 closes ${c.TCPAbortOnData}), TIME_WAIT ${JSON.stringify(timeWait)}, client ${JSON.stringify(clientCloses)}, backend ${JSON.stringify(backendEnds)}, log ${JSON.stringify(terminations)}`,
    );
  }
}
