// WebSocket sessions through HAProxy mode http straight to bare node app servers (session 15:
// `backends[].proxy: none` with `clients.ws`), recorded in a fresh namespace (../lib/netns.mjs):
// two apps (bare-ws-worker.mjs app: the upgrade, pings, a SIGTERM handler that closes its sessions
// with 1001), HAProxy 2.6 in front (config.mjs, its log on stdout), raw WebSocket clients that
// reconnect a fixed delay after every end, a kill -9 or SIGTERM of s1; `show stat` every 250 ms.
//
//   node calibration/haproxy/bare-ws.mjs [--only <substring>] [--rt <prio>] [--out <dir>]
//
// Each run's drainsim twin is calibration/scenarios/<name>.yaml, its prediction committed before
// the recording (calibration/data/haproxy-bare-ws-predictions.json); the comparison is
// test/calibration/haproxy-bare-ws.test.ts. Data: data/<name>[-rt].json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createNamespace, deleteNamespace, spawnInNamespace, stopChild } from '../lib/netns.mjs';
import { haproxyConfig } from './config.mjs';
import { FRONTEND_PORT, parseShowStat, statsCommand, waitForLine } from './lab.mjs';

const WORKER = fileURLToPath(new URL('./bare-ws-worker.mjs', import.meta.url));
const DATA = fileURLToPath(new URL('../data/', import.meta.url));
const SAMPLE_MS = 250;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The runs. apps: per server [appPingMs, closeOnTerm, graceMs]; clients: [count, seconds, pingMs,
 * reconnectMs]; actions: kill (-9) or sigterm of a server at `at` s after the clients start.
 */
export const BARE_WS_EXPERIMENTS = [
  {
    name: 'haproxy-bare-ws-kill-http',
    description:
      'mode http, roundrobin, retries 3, no redispatch, checks inter 2s fall 3 rise 2: 40 WebSocket sessions ' +
      '(client pings every 1 s) to two bare node apps; kill -9 s1 at 5 s; every client reconnects 1 s after ' +
      'its session ends or its upgrade fails: 1006s, the 503s of upgrades HAProxy gives s1 until it is DOWN.',
    redispatch: false,
    backendLines: [],
    apps: { s1: [0, 0, 0], s2: [0, 0, 0] },
    clients: [40, 18, 1000, 1000],
    actions: [{ at: 5, op: 'kill', server: 's1' }],
  },
  {
    name: 'haproxy-bare-ws-sigterm-tunnel-http',
    description:
      'mode http, roundrobin, option redispatch, `timeout tunnel 3s`: 40 WebSocket sessions, client pings every ' +
      '5 s; s1 pings every 1 s (its tunnels never idle), s2 does not (HAProxy closes them 3 s after the upgrade, ' +
      '1006); SIGTERM s1 at 8 s: it closes its listener and its sessions with 1001; reconnect 1 s after every end.',
    redispatch: true,
    backendLines: ['timeout tunnel 3s'],
    apps: { s1: [1000, 1, 5000], s2: [0, 1, 5000] },
    clients: [40, 20, 5000, 1000],
    actions: [{ at: 8, op: 'sigterm', server: 's1' }],
  },
];

function collect(child, into) {
  for (const stream of ['stdout', 'stderr'])
    createInterface({ input: child[stream] }).on('line', (line) => into.push({ at: Date.now(), line }));
}

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

export async function runBareWs(config, rt) {
  const ns = createNamespace(config.name.replace('haproxy-', '').slice(0, 10));
  const dir = mkdtempSync(join(tmpdir(), 'drainsim-barews-'));
  const socketPath = join(dir, 'admin.sock');
  const servers = [
    { name: 's1', port: 9001 },
    { name: 's2', port: 9002 },
  ];
  const cfgText = haproxyConfig({
    mode: 'http',
    redispatch: config.redispatch,
    backendLines: config.backendLines,
    socketPath,
    servers,
  });
  const cfgPath = join(dir, 'haproxy.cfg');
  writeFileSync(cfgPath, cfgText);
  const wrap = rt ? ['chrt', '-f', String(rt)] : [];
  const started = new Date();
  const children = [];
  const apps = {};
  const appLines = [];
  const haproxyRaw = [];
  const clientRaw = [];
  try {
    for (const sv of servers) {
      const [ping, closeOnTerm, grace] = config.apps[sv.name];
      const child = spawnInNamespace(ns, [
        ...wrap,
        process.execPath,
        WORKER,
        'app',
        String(sv.port),
        sv.name,
        String(ping),
        String(closeOnTerm),
        String(grace),
      ]);
      children.push(child);
      await waitForLine(child, (l) => l === 'listening', 10_000, `app ${sv.name} listening`);
      collect(child, appLines);
      apps[sv.name] = child;
    }
    const haproxy = spawnInNamespace(ns, [...wrap, 'haproxy', '-db', '-f', cfgPath]);
    children.push(haproxy);
    collect(haproxy, haproxyRaw);
    const readyBy = Date.now() + 15_000;
    for (;;) {
      try {
        const rows = parseShowStat(await statsCommand(socketPath, 'show stat'));
        if (servers.every((sv) => rows[sv.name]?.status === 'UP')) break;
      } catch {}
      if (Date.now() > readyBy) throw new Error('haproxy not ready in 15 s');
      await sleep(200);
    }
    const [count, seconds, pingMs, reconnectMs] = config.clients;
    const client = spawnInNamespace(ns, [
      ...wrap,
      process.execPath,
      WORKER,
      'clients',
      String(FRONTEND_PORT),
      String(count),
      String(seconds),
      String(pingMs),
      String(reconnectMs),
    ]);
    children.push(client);
    const first = await waitForLine(client, (l) => l.startsWith('start '), 10_000, 'clients start');
    const t0 = Number(first.split(' ')[1]);
    collect(client, clientRaw);
    const rel = (ms) => Math.round(ms - t0) / 1000;
    const samples = [];
    const actionsDone = [];
    const pending = config.actions.map((a) => ({ ...a }));
    for (let k = 1; k <= Math.ceil((seconds * 1000) / SAMPLE_MS); k++) {
      await sleep(Math.max(0, t0 + k * SAMPLE_MS - Date.now()));
      while (pending.length > 0 && Date.now() - t0 >= pending[0].at * 1000) {
        const a = pending.shift();
        const at = Date.now();
        if (a.op === 'kill') stopChild(apps[a.server]);
        else process.kill(-apps[a.server].pid, 'SIGTERM');
        actionsDone.push({ ...a, t: rel(at) });
      }
      const at = Date.now();
      try {
        const rows = parseShowStat(await statsCommand(socketPath, 'show stat'));
        samples.push({ t: rel(at), s1: rows.s1, s2: rows.s2, be: rows.BACKEND });
      } catch (err) {
        samples.push({ t: rel(at), error: String(err.message ?? err) });
      }
    }
    await sleep(800);
    const clientLines = clientRaw.map(({ line }) => line);
    const haproxyLines = haproxyRaw.map(({ at, line }) => ({ t: rel(at), line }));
    return {
      experiment: config.name,
      description: config.description,
      stamp: {
        haproxy: execFileSync('haproxy', ['-v'], { encoding: 'utf8' }).split('\n')[0],
        kernel: execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim(),
        node: process.version,
        date: started.toISOString(),
        load: execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim(),
        rt: rt ?? null,
        haproxyCfg: cfgText,
      },
      config: { ...config, frontendPort: FRONTEND_PORT, sampleMs: SAMPLE_MS },
      summary: summariseBareWs(clientLines, haproxyLines, t0),
      actionsDone,
      clientLines: clientLines.map((l) => l.replace(/ (\d{13})( |$)/, (_, ms, end) => ` ${rel(Number(ms))}${end}`)),
      appLines: appLines.map(({ at, line }) => `${rel(at)} ${line}`),
      haproxyLines,
      samples,
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
  for (const e of BARE_WS_EXPERIMENTS.filter((x) => !values.only || x.name.includes(values.only))) {
    const data = await runBareWs(e, rt);
    const file = join(values.out, `${e.name}${rt !== null ? '-rt' : ''}.json`);
    writeFileSync(file, `${JSON.stringify(data, null, 1)}\n`);
    const s = data.summary;
    console.log(`${e.name}: load ${data.stamp.load}`);
    console.log(
      `  opens ${JSON.stringify(s.opens)} closes ${JSON.stringify(s.closes)} fails ${JSON.stringify(s.fails)}`,
    );
    console.log(`  states ${JSON.stringify(s.states.map(({ t, server, state }) => [t, server, state]))}`);
  }
}
