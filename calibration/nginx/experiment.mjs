// Run one nginx experiment in a fresh namespace: a node backend, a private nginx in front of it,
// the clients of client.mjs, `nginx -s <signal>` at set times; nginx's worker processes sampled
// every 100 ms, sockets (`ss`) every second. Returns the data file's content.
import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { RECORDED_SYSCTLS } from '../lib/experiment.mjs';
import { createNamespace, deleteNamespace, readSysctl, setSysctl, spawnInNamespace, stopChild } from '../lib/netns.mjs';
import {
  makePrefix,
  nginxChildren,
  nginxConf,
  nginxSignal,
  readLog,
  recordingStamp,
  removePrefix,
  startNginxReady,
} from './nginx.mjs';

const BACKEND = fileURLToPath(new URL('./backend.mjs', import.meta.url));
const CLIENT = fileURLToPath(new URL('./client.mjs', import.meta.url));
export const LISTEN_PORT = 8080;
export const BACKEND_PORT = 9000;
// CLOCK_MONOTONIC in ms, the same clock in every process (wall-clock time drifts from it on this
// VM, and performance.timeOrigin differs between processes).
const now = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const r1 = (x) => Math.round(x * 10) / 10;
const r3 = (x) => Math.round(x * 1000) / 1000;

/** JSON lines of a child's stdout into `sink`; resolves when `line` is seen. */
export function readLines(child, sink, line, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${line}" within ${timeoutMs} ms`)), timeoutMs);
    createInterface({ input: child.stdout }).on('line', (text) => {
      if (text.startsWith('{')) sink.push(JSON.parse(text));
      else if (text.startsWith(line)) {
        clearTimeout(timer);
        resolve(text);
      } else if (text === 'done') sink.done = true;
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code} before "${line}"`)));
  });
}

/** The nginx worker holding a socket of an `ss -p` line, or undefined. */
const nginxPidOf = (line) => line.match(/"nginx",pid=(\d+)/)?.[1];

function ssCounts(ns) {
  return new Promise((resolve) => {
    execFile('ip', ['netns', 'exec', ns, 'ss', '-Htanp'], { maxBuffer: 64 << 20 }, (err, stdout) => {
      // upstreamByPid: nginx → backend connections established, by the nginx worker holding them;
      // clientByPid: client → nginx connections established, by the worker that accepted them.
      const c = {
        clientSideEstab: 0,
        upstreamEstab: 0,
        timeWait: 0,
        timeWaitUpstreamNginx: 0,
        timeWaitUpstreamApp: 0,
        finWait: 0,
        closeWait: 0,
        other: 0,
        upstreamByPid: {},
        clientByPid: {},
      };
      if (err) return resolve(c);
      for (const line of stdout.split('\n')) {
        const f = line.trim().split(/\s+/);
        if (f.length < 5 || f[0] === 'LISTEN') continue;
        if (f[0] === 'ESTAB') {
          if (f[3].endsWith(`:${LISTEN_PORT}`)) {
            c.clientSideEstab++;
            const pid = nginxPidOf(line);
            if (pid) c.clientByPid[pid] = (c.clientByPid[pid] ?? 0) + 1;
          } else if (f[4].endsWith(`:${BACKEND_PORT}`)) {
            c.upstreamEstab++;
            const pid = nginxPidOf(line);
            if (pid) c.upstreamByPid[pid] = (c.upstreamByPid[pid] ?? 0) + 1;
          }
        } else if (f[0] === 'TIME-WAIT') {
          c.timeWait++;
          // Which end of an nginx → app connection holds it (session 28, the upstream close race):
          // nginx's (peer = the app's port) or the app's (local = the app's port).
          if (f[4].endsWith(`:${BACKEND_PORT}`)) c.timeWaitUpstreamNginx++;
          else if (f[3].endsWith(`:${BACKEND_PORT}`)) c.timeWaitUpstreamApp++;
        } else if (f[0].startsWith('FIN-WAIT')) c.finWait++;
        else if (f[0] === 'CLOSE-WAIT') c.closeWait++;
        else c.other++;
      }
      resolve(c);
    });
  });
}

/**
 * The scheduling policy of a process as `chrt -p` reports it ("SCHED_FIFO 10", "SCHED_OTHER 0"),
 * or null if it is gone.
 */
export function schedPolicy(pid) {
  try {
    const text = execFileSync('chrt', ['-p', String(pid)], { encoding: 'utf8' });
    const policy = text.match(/policy: (\S+)/)?.[1] ?? '?';
    const prio = text.match(/priority: (\d+)/)?.[1] ?? '?';
    return `${policy} ${prio}`;
  } catch {
    return null;
  }
}

/**
 * config: { name, description, seconds, nginx: {nginx.conf options}, client: {endMs, groups},
 *           backend? (the upstream's script, default backend.mjs; held-out round 26),
 *           backendKeepAliveMs? (node's keepAliveTimeout, default 0 = never), backendBacklog? (4096),
 *           actions: [{ atMs, signal: 'reload'|'quit'|'stop', nginx? } | { atMs, backend: 'STOP'|'CONT' }],
 *           (`nginx`: nginx.conf options that replace the experiment's from this signal on — the
 *           file is rewritten just before it, so a reload loads them),
 *           accessLines? (true: every access-log line as { s, pid, conn, n } in `accessLog`),
 *           tag, summarise?(data),
 *           rt? (a SCHED_FIFO priority: backend, nginx and client start under `chrt -f <rt>`, so
 *           their timers fire on time however loaded the machine; nginx's workers inherit it),
 *           sysctls? ({key: value}, net.* keys set in the namespace before anything starts, held-out
 *           round 13: nginx's upstream connects take their ports from its ip_local_port_range; the
 *           namespace's values of lib/experiment.mjs RECORDED_SYSCTLS are then recorded) }
 * seconds bounds the whole observation (≤ 60).
 */
export async function runNginxExperiment(config) {
  const ns = createNamespace(config.tag ?? config.name);
  for (const [key, value] of Object.entries(config.sysctls ?? {})) setSysctl(ns, key, value);
  const sysctls = config.sysctls ? Object.fromEntries(RECORDED_SYSCTLS.map((k) => [k, readSysctl(ns, k)])) : null;
  const confOptions = { listenPort: LISTEN_PORT, backendPort: BACKEND_PORT, ...config.nginx };
  const prefix = makePrefix((p) => nginxConf(p, confOptions));
  const started = new Date();
  const loadavgAtStart = execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim();
  const children = [];
  const wrap = config.rt ? ['chrt', '-f', String(config.rt)] : [];
  try {
    const backendEvents = [];
    const backend = spawnInNamespace(ns, [
      ...wrap,
      process.execPath,
      // config.backend (held-out round 26): another upstream script, same arguments.
      config.backend ?? BACKEND,
      String(BACKEND_PORT),
      String(config.backendKeepAliveMs ?? 0),
      String(config.backendBacklog ?? 4096),
    ]);
    children.push(backend);
    await readLines(backend, backendEvents, 'listening', 10_000);

    const { nginx, master } = await startNginxReady(ns, prefix, wrap, (workers) => workers.length > 0);
    children.push(nginx);
    await sleep(300);

    const clientEvents = [];
    const client = spawnInNamespace(ns, [
      ...wrap,
      process.execPath,
      CLIENT,
      String(LISTEN_PORT),
      JSON.stringify(config.client),
    ]);
    children.push(client);
    const startedLine = readLines(client, clientEvents, 'started', 10_000);
    // Every time is relative to the client's own start (its group times are).
    const t0 = Number((await startedLine).split(' ')[1]);
    // The policy every process actually runs under (`ip netns exec` and `chrt` exec, so the
    // spawned pid is the program's own).
    const scheduling = {
      requested: config.rt ? `SCHED_FIFO ${config.rt}` : 'default',
      harness: schedPolicy(process.pid),
      backend: schedPolicy(backend.pid),
      client: schedPolicy(client.pid),
      nginxMaster: schedPolicy(master),
      nginxWorkers: (nginxChildren(master) ?? []).map((k) => schedPolicy(k.pid)),
    };

    // Actions at their times, nginx's processes every 100 ms, sockets every second.
    const actions = [];
    for (const a of config.actions ?? []) {
      setTimeout(
        () => {
          const t = now();
          let error = null;
          try {
            // `backend: 'STOP' | 'CONT'` freezes / resumes the backend process (kill -STOP: it
            // accepts and answers nothing; the kernel still handshakes into its accept queue).
            if (a.backend) process.kill(backend.pid, `SIG${a.backend}`);
            else {
              if (a.nginx) writeFileSync(join(prefix, 'nginx.conf'), nginxConf(prefix, { ...confOptions, ...a.nginx }));
              nginxSignal(ns, prefix, a.signal);
            }
          } catch (err) {
            error = String(err.message ?? err);
          }
          actions.push({
            signal: a.signal ?? `backend ${a.backend}`,
            plannedS: a.atMs / 1000,
            s: r3((t - t0) / 1000),
            tookMs: r1(now() - t),
            error,
          });
        },
        Math.max(0, t0 + a.atMs - now()),
      );
    }
    const procSamples = [];
    const ssSamples = [];
    const workerSeen = new Map(); // pid → { firstS, lastS, shuttingDownS }
    let lastSs = 0;
    const deadline = t0 + config.seconds * 1000;
    let masterGoneS = null;
    while (now() < deadline) {
      const t = (now() - t0) / 1000;
      const kids = nginxChildren(master);
      const alive = new Set((kids ?? []).map((k) => k.pid));
      for (const w of workerSeen.values()) if (w.goneS === null && !alive.has(w.pid)) w.goneS = r3(t);
      if (kids === null) {
        if (masterGoneS === null) masterGoneS = r3(t);
      } else {
        let active = 0;
        let shutting = 0;
        for (const k of kids) {
          if (!k.title.includes('worker process')) continue;
          const isShutting = k.title.includes('shutting down');
          if (isShutting) shutting++;
          else active++;
          const w = workerSeen.get(k.pid) ?? {
            pid: k.pid,
            firstS: r3(t),
            lastS: r3(t),
            shuttingDownS: null,
            goneS: null,
          };
          w.lastS = r3(t);
          if (isShutting && w.shuttingDownS === null) w.shuttingDownS = r3(t);
          workerSeen.set(k.pid, w);
        }
        const prev = procSamples[procSamples.length - 1];
        if (!prev || prev.active !== active || prev.shuttingDown !== shutting) {
          procSamples.push({ s: r3(t), active, shuttingDown: shutting });
        }
      }
      if (t - lastSs >= 1) {
        lastSs = Math.floor(t);
        ssSamples.push({ s: r3(t), ...(await ssCounts(ns)) });
      }
      if (masterGoneS !== null && clientEvents.done) break;
      await sleep(100);
    }
    if (masterGoneS === null) {
      try {
        nginxSignal(ns, prefix, 'stop');
      } catch {}
      await sleep(300);
    }
    for (const c of children) stopChild(c);

    const rel = ({ t, ts, ...e }) => ({
      ...e,
      s: r3((t - t0) / 1000),
      ...(ts != null ? { sentS: r3((ts - t0) / 1000) } : {}),
    });
    // Sampled every 100 ms: a worker exited between lastS (last seen) and goneS (first missed).
    const workers = [...workerSeen.values()];
    const data = {
      experiment: config.name,
      description: config.description,
      stamp: recordingStamp(prefix, { started, loadavgAtStart, scheduling }),
      config: {
        seconds: config.seconds,
        backendKeepAliveMs: config.backendKeepAliveMs ?? 0,
        backendBacklog: config.backendBacklog ?? 4096,
        client: config.client,
        actions: config.actions ?? [],
        ...(sysctls ? { sysctlsSet: config.sysctls, sysctls } : {}),
      },
      actions,
      masterExitedS: masterGoneS,
      workers,
      processSamples: procSamples,
      sockets: ssSamples,
      clientEvents: clientEvents.map(rel),
      backendEvents: backendEvents.map(rel),
      errorLog: readLog(prefix, 'error.log').split('\n').filter(Boolean).slice(0, 200),
      errorLogCounts: errorLogCounts(readLog(prefix, 'error.log')),
      // $msec is wall-clock time: mapped onto the monotonic axis with the offset measured now.
      accessLogSummary: accessSummary(readLog(prefix, 'access.log'), t0 + (Date.now() - now())),
      ...(config.accessLines
        ? { accessLog: accessLines(readLog(prefix, 'access.log'), t0 + (Date.now() - now())) }
        : {}),
    };
    data.perSecond = perSecond(data);
    data.summary = config.summarise ? config.summarise(data) : {};
    return data;
  } finally {
    for (const c of children) stopChild(c);
    deleteNamespace(ns);
    removePrefix(prefix);
  }
}

/**
 * error.log messages by kind and request method: without time, pid, connection number and the
 * ", client: …" tail.
 */
function errorLogCounts(text) {
  const counts = {};
  for (const line of text.split('\n')) {
    const m = line.match(/^\S+ \S+ \[(\w+)\] \d+#\d+: (?:\*\d+ )?(.*?)(?:, client: .*)?$/);
    if (!m) continue;
    const method = line.match(/, request: "(\w+) /)?.[1];
    const key = `[${m[1]}] ${m[2].replace(/\d+/g, 'N')}${method ? ` (${method})` : ''}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** Requests served per worker pid and second (from `$msec $pid …`). */
function accessSummary(text, t0) {
  const perPid = {};
  for (const line of text.split('\n')) {
    const [msec, pid, , , status] = line.split(' ');
    if (!msec) continue;
    const s = Math.floor(Number(msec) - t0 / 1000);
    perPid[pid] ??= { requests: 0, firstS: s, lastS: s, statuses: {} };
    const p = perPid[pid];
    p.requests++;
    p.lastS = Math.max(p.lastS, s);
    p.firstS = Math.min(p.firstS, s);
    p.statuses[status] = (p.statuses[status] ?? 0) + 1;
  }
  return perPid;
}

/**
 * Every access-log line: when it was logged (the request's end, s on the run's axis), by which
 * worker pid, on which connection (nginx's serial) as its n-th request.
 */
function accessLines(text, t0) {
  const lines = [];
  for (const line of text.split('\n')) {
    const [msec, pid, conn, n] = line.split(' ');
    if (!msec) continue;
    lines.push({ s: r3(Number(msec) - t0 / 1000), pid: Number(pid), conn: Number(conn), n: Number(n) });
  }
  return lines;
}

/** One row per second: client outcomes (by group), closes, nginx processes, sockets. */
function perSecond(data) {
  const last = Math.ceil(Math.max(data.config.seconds, ...data.clientEvents.map((e) => e.s), 0));
  const rows = [];
  for (let s = 0; s < last; s++) {
    const inSec = (e) => e.s >= s && e.s < s + 1;
    const row = { s: s + 1 };
    for (const e of data.clientEvents.filter(inSec)) {
      const key =
        e.ev === 'req'
          ? `req.${e.g}.${e.out}${e.conn?.toLowerCase() === 'close' ? '.connclose' : ''}`
          : e.ev === 'conn-close'
            ? `close.${e.g}.${e.idle ? 'idle' : 'busy'}.${e.how}`
            : e.ev === 'stale'
              ? `stale.${e.g}`
              : e.ev === 'tun-close'
                ? `tunnelClose.${e.id}.${e.how}`
                : e.ev === 'tun-open'
                  ? `tunnelOpen.${e.id}`
                  : e.ev === 'connect-fail'
                    ? `connectFail.${e.g}.${e.how}`
                    : e.ev;
      row[key] = (row[key] ?? 0) + 1;
    }
    const proc = data.processSamples.filter((p) => p.s < s + 1).pop();
    if (proc) {
      row.workersActive = proc.active;
      row.workersShuttingDown = proc.shuttingDown;
    }
    row.masterAlive = data.masterExitedS === null || data.masterExitedS >= s + 1;
    const sock = data.sockets.filter((x) => x.s < s + 1.01).pop();
    if (sock) {
      row.clientSideEstab = sock.clientSideEstab;
      row.upstreamEstab = sock.upstreamEstab;
    }
    rows.push(row);
  }
  return rows;
}
