// The bare-app HAProxy runs of session 15 (`backends[].proxy: none`): HAProxy 2.6 in a fresh
// namespace (../lib/netns.mjs) in front of two bare node app servers (a worker script's `app`
// role), one client process (its `clients` role), a kill -9 or SIGTERM of a server or its packets
// dropped (nft, `vanish`: a host gone), `show stat` every 250 ms and HAProxy's log. bare-ws.mjs (WebSocket sessions, mode http) and bare-l4.mjs
// (keep-alive clients, mode tcp) hold the runs.
//
//   node calibration/haproxy/bare-ws.mjs | bare-l4.mjs [--only <substring>] [--rt <prio>] [--out <dir>]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  createNamespace,
  deleteNamespace,
  nsExecSync,
  readSysctl,
  setSysctl,
  spawnInNamespace,
  stopChild,
} from '../lib/netns.mjs';
import { countByRole } from '../lib/sample.mjs';
import { sourceCommit } from '../lib/source-commit.mjs';
import { haproxyConfig } from './config.mjs';
import { dropServerPackets, FRONTEND_PORT, parseShowStat, serversUp, statsCommand, waitForLine } from './lab.mjs';

const DATA = fileURLToPath(new URL('../data/', import.meta.url));
const SAMPLE_MS = 250;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function collect(child, into) {
  for (const stream of ['stdout', 'stderr'])
    createInterface({ input: child[stream] }).on('line', (line) => into.push({ at: Date.now(), line }));
}

/**
 * One run: config = { name, description, worker (script path), mode ('http' | 'tcp'), redispatch,
 * backendLines, servers (optional: names, default ['s1', 's2']), serverOptions (optional),
 * apps: { s1: [args…], s2: [args…] } (the worker's `app <port> <name> …args`, one per server),
 * clients: { seconds, args: [...] } (the worker's `clients <port> …args`), actions: [{ at, op:
 * kill | sigterm | vanish | stop | cont, server }] (stop / cont: SIGSTOP / SIGCONT, held-out round 26) (vanish: every packet to or from the server's port dropped,
 * lab.mjs dropServerPackets), frontendLines (optional: e.g. `option logasap`), sockets (optional:
 * `ss -tan` counted by role once a second, lib/sample.mjs countByRole, kept with t0), sysctls (optional: { key: value } set in the namespace, e.g. the
 * balancer host's net.ipv4.tcp_retries2), summarise(clientLines, haproxyLines, t0) }. Returns the
 * data file.
 */
export async function runBareLab(config, rt) {
  const ns = createNamespace(config.name.replace('haproxy-', '').slice(0, 10));
  const sysctls = config.sysctls ?? {};
  for (const [key, value] of Object.entries(sysctls)) setSysctl(ns, key, value);
  const dir = mkdtempSync(join(tmpdir(), 'drainsim-barews-'));
  const socketPath = join(dir, 'admin.sock');
  // Held-out round 22: config.servers (names; ports 9001, 9002, … in order) and config.serverOptions
  // (the default-server line's tail, e.g. `fall 20`); absent, the two servers and options of every
  // earlier run.
  const servers = (config.servers ?? ['s1', 's2']).map((name, i) => ({ name, port: 9001 + i }));
  const cfgText = haproxyConfig({
    mode: config.mode,
    redispatch: config.redispatch,
    serverOptions: config.serverOptions ?? '',
    backendLines: config.backendLines,
    frontendLines: config.frontendLines ?? [],
    defaultsLines: config.defaultsLines ?? [],
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
      const args = config.apps[sv.name].map(String);
      const child = spawnInNamespace(ns, [
        ...wrap,
        process.execPath,
        config.worker,
        'app',
        String(sv.port),
        sv.name,
        ...args,
      ]);
      children.push(child);
      await waitForLine(child, (l) => l === 'listening', 10_000, `app ${sv.name} listening`);
      collect(child, appLines);
      apps[sv.name] = child;
    }
    // HAProxy's checks start with the process (start_checks(), src/check.c: server k of n at
    // k·mininter/n): its spawn time gives the check phase relative to the clients' t0.
    const haproxySpawnedAt = Date.now();
    const haproxy = spawnInNamespace(ns, [...wrap, 'haproxy', '-db', '-f', cfgPath]);
    children.push(haproxy);
    collect(haproxy, haproxyRaw);
    await serversUp(socketPath, servers);
    const seconds = config.clients.seconds;
    const client = spawnInNamespace(ns, [
      ...wrap,
      process.execPath,
      config.worker,
      'clients',
      String(FRONTEND_PORT),
      ...config.clients.args.map(String),
    ]);
    children.push(client);
    const first = await waitForLine(client, (l) => l.startsWith('start '), 10_000, 'clients start');
    const t0 = Number(first.split(' ')[1]);
    collect(client, clientRaw);
    const rel = (ms) => Math.round(ms - t0) / 1000;
    const samples = [];
    const sockets = [];
    const ports = Object.fromEntries(servers.map((sv) => [sv.name, sv.port]));
    const actionsDone = [];
    const pending = config.actions.map((a) => ({ ...a })).sort((a, b) => a.at - b.at);
    for (let k = 1; k <= Math.ceil((seconds * 1000) / SAMPLE_MS); k++) {
      const sampleAt = t0 + k * SAMPLE_MS;
      // Each action at its own time, not at the next 250-ms sample (as lab.mjs since session 19).
      while (pending.length > 0 && t0 + pending[0].at * 1000 <= sampleAt) {
        await sleep(Math.max(0, t0 + pending[0].at * 1000 - Date.now()));
        const a = pending.shift();
        const at = Date.now();
        if (a.op === 'kill') stopChild(apps[a.server]);
        else if (a.op === 'vanish') dropServerPackets(ns, servers.find((sv) => sv.name === a.server).port);
        // Held-out round 26: SIGSTOP / SIGCONT the app (its kernel still completes handshakes into
        // the accept queue while it has room).
        else if (a.op === 'stop') process.kill(-apps[a.server].pid, 'SIGSTOP');
        else if (a.op === 'cont') process.kill(-apps[a.server].pid, 'SIGCONT');
        else process.kill(-apps[a.server].pid, 'SIGTERM');
        actionsDone.push({ ...a, t: rel(at) });
      }
      await sleep(Math.max(0, sampleAt - Date.now()));
      const at = Date.now();
      try {
        const rows = parseShowStat(await statsCommand(socketPath, 'show stat'));
        samples.push({
          t: rel(at),
          ...Object.fromEntries(servers.map((sv) => [sv.name, rows[sv.name]])),
          be: rows.BACKEND,
        });
      } catch (err) {
        samples.push({ t: rel(at), error: String(err.message ?? err) });
      }
      // Held-out round 26 (config.sockets): who holds which TCP state, once a second (as lab.mjs).
      if (config.sockets && k % Math.round(1000 / SAMPLE_MS) === 0)
        sockets.push({
          t: rel(Date.now()),
          byRole: countByRole(nsExecSync(ns, ['ss', '-Htan']), FRONTEND_PORT, ports),
        });
    }
    await sleep(800);
    // The namespace's accept-queue counters (per netns): SYNs and final ACKs a full queue dropped.
    const nstat = nsExecSync(ns, ['nstat', '-az', 'TcpExtListenOverflows', 'TcpExtListenDrops'])
      .split('\n')
      .filter((l) => l.startsWith('TcpExt'))
      .map((l) => l.split(/\s+/).slice(0, 2));
    const clientLines = clientRaw.map(({ line }) => line);
    const haproxyLines = haproxyRaw.map(({ at, line }) => ({ t: rel(at), line }));
    return {
      experiment: config.name,
      description: config.description,
      stamp: {
        haproxy: execFileSync('haproxy', ['-v'], { encoding: 'utf8' }).split('\n')[0],
        sourceCommit: sourceCommit(),
        kernel: execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim(),
        node: process.version,
        date: started.toISOString(),
        load: execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim(),
        rt: rt ?? null,
        haproxyCfg: cfgText,
        sysctls: Object.fromEntries(Object.keys(sysctls).map((k) => [k, readSysctl(ns, k)])),
      },
      config: { ...config, worker: undefined, summarise: undefined, frontendPort: FRONTEND_PORT, sampleMs: SAMPLE_MS },
      summary: config.summarise(clientLines, haproxyLines, t0),
      actionsDone,
      haproxySpawnedT: rel(haproxySpawnedAt),
      // Held-out round 26: the clients' start (epoch ms), for app lines that carry their own clock.
      ...(config.sockets ? { t0, sockets } : {}),
      nstat: Object.fromEntries(nstat.map(([k, v]) => [k, Number(v)])),
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

/** The command line of a lab script: run `experiments` (filtered by --only), write data/<name>[-rt].json. */
export async function bareLabMain(experiments, report) {
  const { values } = parseArgs({
    options: { only: { type: 'string' }, rt: { type: 'string' }, out: { type: 'string', default: DATA } },
  });
  const rt = values.rt ? Number(values.rt) : null;
  if (rt !== null) execFileSync('chrt', ['-a', '-f', '-p', String(rt), String(process.pid)]);
  mkdirSync(values.out, { recursive: true });
  for (const e of experiments.filter((x) => !values.only || x.name.includes(values.only))) {
    const data = await runBareLab(e, rt);
    const file = join(values.out, `${e.name}${rt !== null ? '-rt' : ''}.json`);
    writeFileSync(file, `${JSON.stringify(data, null, 1)}\n`);
    console.log(`${e.name}: load ${data.stamp.load}`);
    report(data.summary);
  }
}
