// One HAProxy calibration run: in a fresh namespace (../lib/netns.mjs), two node HTTP backends,
// HAProxy 2.6 in front of them (foreground, logs on stdout), clients at a fixed request rate and/or
// never-ending streams, a scripted list of actions (kill -9, restart, SIGSTOP, runtime API
// commands), `show stat` sampled every 250 ms over the stats socket. Returns the data file's content.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createNamespace, deleteNamespace, nsExecSync, spawnInNamespace, stopChild } from '../lib/netns.mjs';
import { countByRole } from '../lib/sample.mjs';
import { sourceCommit } from '../lib/source-commit.mjs';
import { DEFAULT_SERVERS, haproxyConfig } from './config.mjs';
import { summarise } from './summary.mjs';

const WORKER = fileURLToPath(new URL('./worker.mjs', import.meta.url));
export const FRONTEND_PORT = 8000;
export const BACKEND_PORTS = { s1: 9001, s2: 9002 };

/**
 * The run's servers: config.servers (held-out runs: `{ name, options? }`, ports 9001, 9002, … in
 * order) or the two of every earlier run.
 */
function serversOf(config) {
  if (!config.servers) return DEFAULT_SERVERS;
  return config.servers.map((sv, i) => ({ ...sv, port: 9001 + i }));
}
const SAMPLE_MS = 250;
/** `show stat` columns kept (per server and for the backend line). */
const STAT_FIELDS = [
  'status',
  'scur',
  'stot',
  'qcur',
  'econ',
  'eresp',
  'wretr',
  'wredis',
  'chkfail',
  'chkdown',
  'lastchg',
  'check_status',
  'check_code',
  'check_duration',
  'last_chk',
  'lbtot',
  'cli_abrt',
  'srv_abrt',
  'hrsp_5xx',
  'idle_conn_cur',
  'safe_conn_cur',
  'used_conn_cur',
  'need_conn_est',
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Observation runs (session 17, NOTES.md item 33): DRAINSIM_HAPROXY_OBSERVE=<dir> runs HAProxy under
 * `strace -f -tt -T` (epoll_wait's timeout argument is compute_poll_timeout() of the timer trees' first
 * key, src/fd.c; connect/sendto/recvfrom/close show each check's I/O) writing <dir>/strace.txt, and
 * keeps the namespace's /proc/net/netstat (listen overflows) at the end of the run in <dir>/netstat.txt.
 * DRAINSIM_HAPROXY_NO_STRACE=1 keeps the netstat without strace. Unset (every recorded data file):
 * nothing changes.
 */
const OBSERVE_DIR = process.env.DRAINSIM_HAPROXY_OBSERVE;
/**
 * DRAINSIM_HAPROXY_BIN: another haproxy binary for observation runs (session 17: HAProxy 2.6.12 built
 * from Debian's orig tarball with a wait-queue trace, calibration/haproxy/observe/). Its `-v` is the
 * stamp. Unset: the installed haproxy, as every recorded data file.
 */
const HAPROXY_BIN = process.env.DRAINSIM_HAPROXY_BIN ?? 'haproxy';
const STRACE_CALLS = 'trace=epoll_wait,connect,sendto,recvfrom,close,getsockopt,accept4';
function observerPrefix() {
  if (!OBSERVE_DIR || process.env.DRAINSIM_HAPROXY_NO_STRACE) return [];
  return ['strace', '-f', '-tt', '-T', '-e', STRACE_CALLS, '-o', join(OBSERVE_DIR, 'strace.txt')];
}
/** Also <dir>/t0.txt: the run's time 0 (epoch ms), to put strace's wall-clock stamps on the run's clock. */
function saveNamespaceNetstat(ns, t0) {
  if (!OBSERVE_DIR) return;
  writeFileSync(join(OBSERVE_DIR, 'netstat.txt'), nsExecSync(ns, ['cat', '/proc/net/netstat']));
  writeFileSync(join(OBSERVE_DIR, 't0.txt'), `${t0}\n`);
}

/** Temp dirs (config, stats socket) of runs in progress, removed on every exit path too. */
const tempDirs = new Set();
process.on('exit', () => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** Whether haproxy is installed, with its version line, or the reason it cannot be used. */
export function haproxySupport() {
  try {
    const v = execFileSync('haproxy', ['-v'], { encoding: 'utf8' });
    return { ok: true, reason: '', version: v.split('\n')[0] };
  } catch {
    return { ok: false, reason: 'haproxy not installed', version: null };
  }
}

/** One request over the stats socket (a unix socket: reachable from outside the namespace). */
export function statsCommand(socketPath, command) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(socketPath);
    let text = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`stats socket: no answer to "${command}"`));
    }, 3000);
    sock.on('connect', () => sock.write(`${command}\n`));
    sock.on('data', (d) => {
      text += d;
    });
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
  });
}

/** `show stat` CSV → { s1: {...}, s2: {...}, BACKEND: {...}, FRONTEND: {...} } with STAT_FIELDS. */
export function parseShowStat(csv) {
  const lines = csv.split('\n').filter((l) => l.length > 0);
  const header = lines[0].replace(/^# /, '').split(',');
  const rows = {};
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    const row = Object.fromEntries(header.map((h, i) => [h, cells[i]]));
    if (row.pxname !== 'be' && row.pxname !== 'fe') continue;
    const kept = {};
    for (const f of STAT_FIELDS) {
      if (row[f] === undefined || row[f] === '') continue;
      kept[f] = /^-?\d+$/.test(row[f]) ? Number(row[f]) : row[f];
    }
    rows[row.svname] = kept;
  }
  return rows;
}

/** Ready when the runtime API answers and every server is UP (checks passed or initial state): 15 s at most. */
export async function serversUp(socketPath, servers) {
  const readyBy = Date.now() + 15_000;
  for (;;) {
    try {
      const rows = parseShowStat(await statsCommand(socketPath, 'show stat'));
      if (servers.every((sv) => rows[sv.name]?.status === 'UP')) return;
    } catch {}
    if (Date.now() > readyBy) throw new Error('haproxy not ready (stats socket / servers UP) in 15 s');
    await sleep(200);
  }
}

/** Resolve with the first stdout line `predicate` accepts; reject on timeout or exit before it. */
export function waitForLine(child, predicate, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${what} within ${timeoutMs} ms`)), timeoutMs);
    const rl = createInterface({ input: child.stdout });
    rl.on('line', (line) => {
      if (predicate(line)) {
        clearTimeout(timer);
        rl.close();
        resolve(line);
      }
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code} before ${what}`)));
  });
}

/**
 * Every packet to or from a server's port vanishes (a host gone, a firewall DROP): nft rules in the
 * namespace's own `output` hook (every loopback packet passes it) drop TCP segments with that
 * destination or source port. New SYNs and established flows alike go unanswered. Needs nft
 * (Debian package nftables); the namespace's ruleset goes with the namespace.
 */
export function dropServerPackets(ns, port) {
  const nft = (...args) => nsExecSync(ns, ['nft', ...args]);
  nft('add', 'table', 'inet', 'drainsim');
  nft('add', 'chain', 'inet', 'drainsim', 'out', '{ type filter hook output priority 0; }');
  for (const dir of ['dport', 'sport']) nft('add', 'rule', 'inet', 'drainsim', 'out', 'tcp', dir, String(port), 'drop');
}

/** Collect every line of a child's stdout and stderr, stamped with the time it was read. */
function collectLines(child, into, stream = 'stdout') {
  createInterface({ input: child[stream] }).on('line', (line) => into.push({ at: Date.now(), line }));
}

/**
 * config: { name, description, mode: 'tcp'|'http', redispatch: boolean, seconds,
 *   requests?: { rate, connections, meanLifetimeS }, streams?: { count },
 *   actions: [{ at: s, op: 'kill'|'restart'|'stop'|'cont'|'cmd'|'reload'|'drop'|'health404'|'health200', server?, command? }],
 *   endWhen?: (state) => boolean (checked after each sample once every action has run), tag }
 */
export async function runHaproxyExperiment(config) {
  const support = haproxySupport();
  if (!support.ok) throw new Error(`${config.name}: ${support.reason}`);
  const ns = createNamespace(config.tag ?? config.name);
  const dir = mkdtempSync(join(tmpdir(), 'drainsim-haproxy-'));
  tempDirs.add(dir);
  const socketPath = join(dir, 'admin.sock');
  const servers = serversOf(config);
  const ports = Object.fromEntries(servers.map((sv) => [sv.name, sv.port]));
  const delays = Object.fromEntries(servers.map((sv) => [sv.name, sv.delayMs ?? 0]));
  const cfgText = haproxyConfig({
    servers,
    mode: config.mode,
    redispatch: config.redispatch,
    cookie: config.cookie,
    serverOptions: config.serverOptions,
    backendLines: config.backendLines,
    globalLines: config.globalLines,
    frontendLines: config.frontendLines,
    socketPath,
  });
  const cfgPath = join(dir, 'haproxy.cfg');
  writeFileSync(cfgPath, cfgText);
  const started = new Date();
  const backends = {};
  const children = [];
  try {
    const startBackend = async (name) => {
      // Held-out round 21: a server's own response time (servers[].delayMs, worker.mjs backend).
      const delay = delays[name] ? [String(delays[name])] : [];
      const child = spawnInNamespace(ns, [process.execPath, WORKER, 'backend', String(ports[name]), name, ...delay]);
      children.push(child);
      await waitForLine(child, (l) => l === 'listening', 10_000, `backend ${name} listening`);
      backends[name] = child;
    };
    for (const sv of servers) await startBackend(sv.name);
    // Held-out round 4: the client slots' own addresses (a /24 on lo is local as a whole).
    if (config.requests?.sourceBase)
      nsExecSync(ns, ['ip', 'addr', 'add', `${config.requests.sourceBase}/24`, 'dev', 'lo']);

    const haproxyLines = [];
    // Session 17 (chk17c): when the first HAProxy was spawned (epoch ms), kept in the stamp on t0's
    // clock — its check tasks and resolvers task start with it (src/check.c start_checks(),
    // src/resolvers.c), so a twin can state `lb.uptime` (NOTES.md items 33-35).
    let haproxySpawnedAt = null;
    const startHaproxy = (extra = []) => {
      haproxySpawnedAt ??= Date.now();
      const child = spawnInNamespace(ns, [...observerPrefix(), HAPROXY_BIN, '-db', '-f', cfgPath, ...extra]);
      children.push(child);
      collectLines(child, haproxyLines, 'stdout');
      collectLines(child, haproxyLines, 'stderr');
      return child;
    };
    let haproxy = startHaproxy();
    const haproxies = [haproxy];
    await serversUp(socketPath, servers);

    const clientLines = [];
    let t0 = null;
    const clientDone = [];
    const startClient = async (argv) => {
      const child = spawnInNamespace(ns, [process.execPath, WORKER, ...argv]);
      children.push(child);
      const first = await waitForLine(child, (l) => l.startsWith('start '), 10_000, `${argv[0]} start`);
      collectLines(child, clientLines);
      clientDone.push(new Promise((r) => child.on('exit', r)));
      return Number(first.split(' ')[1]);
    };
    if (config.requests) {
      const { rate, connections, meanLifetimeS = 0 } = config.requests;
      t0 = await startClient([
        'requests',
        String(FRONTEND_PORT),
        String(rate),
        // requests.seconds (held-out round 23): the client stops sending that long after t0, the run
        // going on to `seconds` (absent: the whole run).
        String(config.requests.seconds ?? config.seconds),
        String(connections),
        String(meanLifetimeS),
        String(config.seed ?? 1),
        config.cookie ? '1' : '0',
        config.requests.path ?? '/',
        config.requests.sourceBase ?? '-',
      ]);
    }
    // Never-ending streams and (held-out round 4) half-open tunnels: `count` connections each.
    for (const [role, c, extra] of [
      ['streams', config.streams, []],
      ['tunnels', config.tunnels, [config.tunnels?.path]],
    ]) {
      if (!c) continue;
      const ts = await startClient([role, String(FRONTEND_PORT), String(c.count), String(config.seconds), ...extra]);
      t0 ??= ts;
    }
    const rel = (ms) => Math.round(ms - t0) / 1000;

    const samples = [];
    const sockets = [];
    const actionsDone = [];
    const pending = config.actions.map((a) => ({ ...a })).sort((a, b) => a.at - b.at);
    let endedEarly = false;
    for (let k = 1; k <= Math.ceil((config.seconds * 1000) / SAMPLE_MS); k++) {
      const sampleAt = t0 + k * SAMPLE_MS;
      // Each action runs at its own time, not at the next 250-ms sample: until session 19 the loop
      // only looked at the actions after a sample's sleep, so signals went out 0-250 ms late (round 6:
      // 50-200 ms, which its twins had to replay from actionsDone' t). The sample keeps its tick.
      while (pending.length > 0 && t0 + pending[0].at * 1000 <= sampleAt) {
        await sleep(Math.max(0, t0 + pending[0].at * 1000 - Date.now()));
        const action = pending.shift();
        const at = Date.now();
        let reply = null;
        if (action.op === 'kill') stopChild(backends[action.server]);
        else if (action.op === 'stop') process.kill(-backends[action.server].pid, 'SIGSTOP');
        else if (action.op === 'cont') process.kill(-backends[action.server].pid, 'SIGCONT');
        // The backend's health endpoint answers 404 from now on (worker.mjs: its SIGUSR2 handler;
        // `ip netns exec` execs node, so the child's pid is the server's).
        else if (action.op === 'health404') process.kill(backends[action.server].pid, 'SIGUSR2');
        // And 200 again (worker.mjs: its SIGHUP handler; held-out round 16).
        else if (action.op === 'health200') process.kill(backends[action.server].pid, 'SIGHUP');
        else if (action.op === 'restart') {
          // Not awaited: sampling goes on while node starts (≈ 0.3–1 s on a loaded machine).
          startBackend(action.server).then(
            () => {
              action.record.listeningT = rel(Date.now());
            },
            (err) => {
              action.record.error = String(err.message ?? err);
            },
          );
        } else if (action.op === 'reload') {
          // `haproxy -sf <old pid>` (`ip netns exec` execs haproxy: same pid): the new process binds
          // (SO_REUSEPORT) and sends the old one SIGUSR1, a soft stop; when the old one exits is recorded.
          const old = haproxy;
          old.on('exit', () => {
            action.record.oldExitT = rel(Date.now());
          });
          haproxy = startHaproxy(['-sf', String(old.pid)]);
          haproxies.push(haproxy);
        } else if (action.op === 'drop') dropServerPackets(ns, ports[action.server]);
        else if (action.op === 'cmd') reply = (await statsCommand(socketPath, action.command)).trim();
        const done = { ...action, t: rel(at), tDone: rel(Date.now()), reply };
        if (action.op === 'restart' || action.op === 'reload') action.record = done;
        actionsDone.push(done);
      }
      await sleep(Math.max(0, sampleAt - Date.now()));
      const at = Date.now();
      try {
        const rows = parseShowStat(await statsCommand(socketPath, 'show stat'));
        const perServer = Object.fromEntries(servers.map((sv) => [sv.name, rows[sv.name]]));
        samples.push({ t: rel(at), ...perServer, be: rows.BACKEND, fe: rows.FRONTEND });
      } catch (err) {
        samples.push({ t: rel(at), error: String(err.message ?? err) });
      }
      // config.sockets: who holds which TCP state (TIME_WAIT after a close), once a second.
      if (config.sockets && k % Math.round(1000 / SAMPLE_MS) === 0)
        sockets.push({
          t: rel(Date.now()),
          byRole: countByRole(nsExecSync(ns, ['ss', '-Htan']), FRONTEND_PORT, ports),
        });
      if (pending.length === 0 && config.endWhen?.({ samples, actionsDone })) {
        endedEarly = true;
        break;
      }
    }
    saveNamespaceNetstat(ns, t0);
    for (const c of children) if (!haproxies.includes(c) && !Object.values(backends).includes(c)) stopChild(c);
    if (!endedEarly) await Promise.race([Promise.all(clientDone), sleep(3000)]);
    await sleep(300); // the last log lines
    const versions = execFileSync(HAPROXY_BIN, ['-v'], { encoding: 'utf8' }).trim().split('\n');
    const raw = {
      clientLines: clientLines.map(({ line }) => line),
      haproxyLines: haproxyLines.map(({ at, line }) => ({ t: rel(at), line })),
      samples,
      actionsDone,
      t0,
      endedEarly,
    };
    return {
      experiment: config.name,
      description: config.description,
      stamp: {
        haproxy: versions[0],
        sourceCommit: sourceCommit(),
        kernel: execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim(),
        node: process.version,
        date: started.toISOString(),
        load: execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim(),
        haproxyCfg: cfgText,
        // HAProxy's start on t0's clock (s, negative: before the clients' t0): its spawn, and its
        // first output line (stdout/stderr, stamped when read). Absent from files recorded before.
        ...haproxyStart(haproxyLines, haproxySpawnedAt, rel),
      },
      config: {
        mode: config.mode,
        redispatch: config.redispatch,
        cookie: config.cookie ?? false,
        serverOptions: config.serverOptions ?? '',
        backendLines: config.backendLines ?? [],
        ...(config.globalLines ? { globalLines: config.globalLines } : {}),
        ...(config.frontendLines ? { frontendLines: config.frontendLines } : {}),
        seconds: config.seconds,
        requests: config.requests ?? null,
        seed: config.seed ?? 1,
        streams: config.streams ?? null,
        sockets: config.sockets ?? false,
        actions: config.actions,
        frontendPort: FRONTEND_PORT,
        backendPorts: ports,
        ...(config.servers ? { servers } : {}),
        sampleMs: SAMPLE_MS,
      },
      ...summarise({ ...config, serverNames: servers.map((sv) => sv.name) }, raw),
      ...(config.sockets ? { sockets } : {}),
      ...(config.keepRequests ? { requestLog: requestLog(raw.clientLines, t0) } : {}),
      ...(config.tunnels ? { tunnelLog: tunnelLog(raw.clientLines, t0) } : {}),
    };
  } finally {
    for (const c of children) stopChild(c);
    for (const b of Object.values(backends)) stopChild(b);
    deleteNamespace(ns);
    rmSync(dir, { recursive: true, force: true });
    tempDirs.delete(dir);
  }
}

/** The stamp's haproxySpawnedT and haproxyFirstLine { t, line } (s from t0; null when none). */
export function haproxyStart(haproxyLines, spawnedAt, rel) {
  const first = haproxyLines[0];
  return {
    haproxySpawnedT: spawnedAt === null ? null : rel(spawnedAt),
    haproxyFirstLine: first ? { t: rel(first.at), line: first.line } : null,
  };
}

/**
 * Every request the client sent (held-out round 4, config.keepRequests): [sent, done, outcome,
 * server, slot], times in s from t0 — which server each client slot (address, user) reached.
 */
export function requestLog(clientLines, t0) {
  const s = (ms) => Math.round(Number(ms) - t0) / 1000;
  return clientLines
    .filter((l) => l.startsWith('r '))
    .map((l) => l.split(' '))
    .map((f) => [s(f[1]), s(f[2]), f[3], f[4], Number(f[5])]);
}

/** The half-open tunnels' events (config.tunnels): [t, event, index, server, ticks], t in s from t0. */
export function tunnelLog(clientLines, t0) {
  return clientLines
    .filter((l) => l.startsWith('s '))
    .map((l) => l.split(' '))
    .map((f) => [Math.round(Number(f[1]) - t0) / 1000, f[2], Number(f[3]), f[4], Number(f[5])]);
}

/** A stall of the machine longer than this during a run makes it run once more (the calmer kept). */
const MAX_STALL_S = 1.5;

/** runHaproxyExperiment, run a second time when the first one's processes stalled > MAX_STALL_S. */
export async function runHaproxyExperimentSteady(config) {
  const first = await runHaproxyExperiment(config);
  if (first.summary.maxStallS <= MAX_STALL_S) return { ...first, attempts: 1 };
  const second = await runHaproxyExperiment({ ...config, tag: `${config.tag ?? config.name}b` });
  const best = second.summary.maxStallS < first.summary.maxStallS ? second : first;
  return { ...best, attempts: 2, otherAttemptMaxStallS: (best === first ? second : first).summary.maxStallS };
}
