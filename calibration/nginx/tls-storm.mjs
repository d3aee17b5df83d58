// A TLS reconnect storm against the real nginx: `listen 443 ssl backlog=N` with a self-signed
// RSA certificate made at run time (`openssl req`, in the nginx prefix), `worker_processes`
// 1 or 2, inside a fresh namespace. Two phases, one client process each (tls-client.mjs):
//   1. serial: K full handshakes one after another; nginx's workers' CPU time (utime + stime,
//      /proc/<pid>/stat) over them ÷ K is the handshake CPU, the scenario's `handshake_cpu` —
//      measured here, never fitted to the storm;
//   2. storm: M connections opened back to back; per connection the TCP connect and the TLS
//      handshake times. The namespace's kernel counters (/proc/net/netstat TcpExt, /proc/net/snmp
//      Tcp: ListenOverflows, ListenDrops, TCPTimeouts, RetransSegs, SyncookiesSent, …) before and
//      after, and sampled every 200 ms with the workers' CPU.
// Client and server are sockets of the one namespace kernel (loopback): the counters are both
// sides' (RetransSegs counts the client's retransmitted SYNs and data and nginx's SYN-ACKs).
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNamespace, deleteNamespace, readSysctl, spawnInNamespace, stopChild } from '../lib/netns.mjs';
import { readLines, schedPolicy } from './experiment.mjs';
import {
  confHead,
  makePrefix,
  nginxChildren,
  readLog,
  recordingStamp,
  removePrefix,
  startNginxReady,
  tempPaths,
} from './nginx.mjs';

const CLIENT = fileURLToPath(new URL('./tls-client.mjs', import.meta.url));
export const TLS_PORT = 443;
const now = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const r3 = (x) => (x == null ? null : Math.round(x * 1000) / 1000);
const r6 = (x) => (x == null ? null : Math.round(x * 1e6) / 1e6);

/** The sysctls that decide what a full accept queue does, as read inside the namespace. */
const SYSCTLS = [
  'net.core.somaxconn',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.tcp_max_syn_backlog',
  'net.ipv4.tcp_abort_on_overflow',
  'net.ipv4.tcp_syn_retries',
  'net.ipv4.tcp_syn_linear_timeouts',
  'net.ipv4.tcp_synack_retries',
  'net.ipv4.tcp_rto_min_us',
  // What the tail loss probe depends on (tcp_schedule_loss_probe): recorded from the next run on.
  'net.ipv4.tcp_early_retrans',
  'net.ipv4.tcp_sack',
  'net.ipv4.tcp_recovery',
  'net.ipv4.tcp_timestamps',
];

/** TcpExt and Tcp counters the storm moves. */
const COUNTERS = {
  TcpExt: [
    'ListenOverflows',
    'ListenDrops',
    'TCPTimeouts',
    'TCPReqQFullDoCookies',
    'TCPReqQFullDrop',
    'SyncookiesSent',
    'SyncookiesRecv',
    'SyncookiesFailed',
    'TCPSynRetrans',
    // A resent SYN-ACK reaching a connected sender is answered with a challenge ACK
    // (tcp_validate_incoming step 4: TCPSynChallenge, then TCPChallengeACK, or
    // TCPACKSkippedChallenge when rate-limited): the resends seen from the client's side.
    'TCPSynChallenge',
    'TCPChallengeACK',
    'TCPACKSkippedChallenge',
    'TCPLossProbes',
    'EmbryonicRsts',
    'TCPAbortOnData',
  ],
  Tcp: ['ActiveOpens', 'PassiveOpens', 'AttemptFails', 'RetransSegs', 'OutSegs', 'InSegs', 'OutRsts'],
};

/**
 * nginx.conf: a TLS listener with the given backlog, answering every request itself (no upstream).
 * Held-out round 15: `reuseport` (one listening socket per worker), and `upstreamPort` (location /
 * proxies to backend.mjs there, passing WebSocket upgrades).
 */
export function tlsConf(prefix, o) {
  const location = o.upstreamPort
    ? [
        "  map $http_upgrade $connection_upgrade { default upgrade; '' close; }",
        `  upstream backend { server 127.0.0.1:${o.upstreamPort}; }`,
      ]
    : [];
  return `${[
    ...confHead(prefix, 'calibration/nginx/tls-storm.mjs', o.workers),
    'events { worker_connections 4096; }',
    'http {',
    '  access_log off;',
    ...tempPaths(prefix),
    ...location,
    '  server {',
    `    listen 127.0.0.1:${TLS_PORT} ssl backlog=${o.backlog}${o.reuseport ? ' reuseport' : ''};`,
    `    ssl_certificate ${prefix}/cert.pem;`,
    `    ssl_certificate_key ${prefix}/key.pem;`,
    // nginx 1.22's default is TLSv1 TLSv1.1 TLSv1.2 (TLSv1.3 joined the default in 1.23.4);
    // ingress-nginx and Debian's packaged nginx.conf offer TLSv1.2 TLSv1.3: a client gets 1.3.
    '    ssl_protocols TLSv1.2 TLSv1.3;',
    // tls-resume.mjs's shared-cache variant (session 27): ingress-nginx's session settings.
    ...(o.sessionCache ? ['    ssl_session_cache shared:SSL:10m;', '    ssl_session_tickets off;'] : []),
    o.upstreamPort
      ? '    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection $connection_upgrade; }'
      : '    location / { return 200 "ok\\n"; }',
    '  }',
    '}',
  ].join('\n')}\n`;
}

/** A self-signed RSA certificate of `bits` for 1 day, written into the prefix. */
function makeCertificate(prefix, bits) {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      `rsa:${bits}`,
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=drainsim-calibration',
      '-keyout',
      join(prefix, 'key.pem'),
      '-out',
      join(prefix, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
}

/** The counters of COUNTERS from the namespace's /proc/net/netstat and /proc/net/snmp. */
export function readCounters(ns) {
  return new Promise((resolve) => {
    execFile('ip', ['netns', 'exec', ns, 'cat', '/proc/net/netstat', '/proc/net/snmp'], (err, stdout) => {
      const out = {};
      if (err) return resolve(out);
      const lines = stdout.split('\n');
      for (let i = 0; i + 1 < lines.length; i++) {
        const head = lines[i].split(/\s+/);
        const vals = lines[i + 1].split(/\s+/);
        const group = head[0].replace(':', '');
        if (vals[0] !== head[0] || !COUNTERS[group]) continue;
        for (const name of COUNTERS[group]) {
          const k = head.indexOf(name);
          if (k > 0) out[name] = Number(vals[k]);
        }
        i++;
      }
      resolve(out);
    });
  });
}

export const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** utime + stime of a process in ms (clock-tick resolution), null if it is gone. */
function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
  } catch {
    return null;
  }
}

const workerPids = (master) =>
  (nginxChildren(master) ?? []).filter((k) => k.title.includes('worker process')).map((k) => k.pid);
export const workersCpu = (pids) => pids.map(cpuMs);

/**
 * Run one tls-client.mjs phase; resolves with its conn events (times relative to its start, s).
 * onPoll(events), if given, sees the events so far every 20 ms; onStarted(t0), the client's start
 * (CLOCK_MONOTONIC ms, the harness's clock too).
 */
export async function clientPhase(ns, wrap, spec, onPoll = null, onStarted = null) {
  const events = [];
  const child = spawnInNamespace(ns, [...wrap, process.execPath, CLIENT, String(TLS_PORT), JSON.stringify(spec)]);
  const started = await readLines(child, events, 'started', 10_000);
  const t0 = Number(started.split(' ')[1]);
  // The harness's own timed step (holdout15.mjs: a reload or quit at a planned time after t0).
  onStarted?.(t0);
  await new Promise((resolve) => {
    const poll = setInterval(() => {
      // The harness's own step in the middle of a phase (tls-resume.mjs: a reload on a marker line).
      onPoll?.(events);
      if (events.done || child.exitCode !== null) {
        clearInterval(poll);
        resolve();
      }
    }, 20);
  });
  stopChild(child);
  // s, to the µs: the storm's connects are ≈ 0.5 ms apart.
  const rel = (t) => (t == null ? null : r6((t - t0) / 1000));
  return {
    t0,
    conns: events
      .filter((e) => e.ev === 'conn')
      .map((e) => ({
        i: e.i,
        start: rel(e.start),
        tcp: rel(e.tcp),
        tls: rel(e.tls),
        err: e.err,
        ...(e.errAt != null ? { errAt: rel(e.errAt) } : {}),
        ...(e.up != null ? { up: rel(e.up) } : {}),
        proto: e.proto,
        reused: e.reused,
        tag: e.tag ?? null,
      })),
  };
}

/**
 * Run `body` against a TLS nginx (tlsConf with `confOptions`: workers, backlog, …; an RSA-`config.rsaBits`
 * certificate) in a fresh namespace, removed afterwards whatever happens. body gets { ns, prefix,
 * wrap (the SCHED_FIFO wrapper, if config.rt), master, workers (pids), started, loadavgAtStart }.
 */
export async function withTlsNginx(config, confOptions, body) {
  const count = confOptions.workers;
  const ns = createNamespace(config.tag ?? config.name);
  const prefix = makePrefix((p) => tlsConf(p, confOptions));
  const started = new Date();
  const loadavgAtStart = readFileSync('/proc/loadavg', 'utf8').trim();
  const wrap = config.rt ? ['chrt', '-f', String(config.rt)] : [];
  let nginx = null;
  try {
    makeCertificate(prefix, config.rsaBits);
    // config.nginxWrap (holdout15.mjs): nginx's own scheduling, when it differs from the client's.
    const ready = await startNginxReady(ns, prefix, config.nginxWrap ?? wrap, (w) => w.length === count);
    nginx = ready.nginx;
    await sleep(300);
    const workers = workerPids(ready.master);
    return await body({ ns, prefix, wrap, master: ready.master, workers, started, loadavgAtStart });
  } finally {
    if (nginx) stopChild(nginx);
    deleteNamespace(ns);
    removePrefix(prefix);
  }
}

/**
 * config: { name, description, workers, backlog, rsaBits, serialCount, stormCount, stormSeconds, rt?,
 *           tag, summarise(data) }. Bounded: serialCount + stormCount connections, ≤ ~30 s.
 */
export function runTlsStorm(config) {
  return withTlsNginx(config, config, (ctx) => stormPhases(config, ctx));
}

async function stormPhases(config, { ns, prefix, wrap, master, workers, started, loadavgAtStart }) {
  const sysctls = Object.fromEntries(SYSCTLS.map((k) => [k, readSysctl(ns, k)]));

  // 1. The handshake's CPU, serially: nothing else runs in the namespace.
  const cpuBeforeSerial = workersCpu(workers);
  const serial = await clientPhase(ns, wrap, { mode: 'serial', count: config.serialCount, endMs: 60_000 });
  const cpuAfterSerial = workersCpu(workers);
  await sleep(1000);

  // 2. The storm, with the counters and the workers' CPU every 200 ms.
  const countersBefore = await readCounters(ns);
  const cpuBeforeStorm = workersCpu(workers);
  const samples = [];
  let sampling = true;
  const t0 = now();
  const sampler = (async () => {
    while (sampling) {
      const s = r3((now() - t0) / 1000);
      samples.push({ s, cpuMs: workersCpu(workers), counters: await readCounters(ns) });
      await sleep(200);
    }
  })();
  const storm = await clientPhase(ns, wrap, {
    mode: 'storm',
    count: config.stormCount,
    endMs: config.stormSeconds * 1000,
  });
  sampling = false;
  await sampler;
  const countersAfter = await readCounters(ns);
  const cpuAfterStorm = workersCpu(workers);
  // The sampler's clock started just before the client: put the samples on the client's axis.
  const shift = (storm.t0 - t0) / 1000;
  for (const s of samples) s.s = r3(s.s - shift);

  const scheduling = {
    requested: config.rt ? `SCHED_FIFO ${config.rt}` : 'default',
    harness: schedPolicy(process.pid),
    nginxMaster: schedPolicy(master),
    nginxWorkers: workers.map(schedPolicy),
  };
  const errorLog = readLog(prefix, 'error.log');
  const data = {
    experiment: config.name,
    description: config.description,
    stamp: {
      ...recordingStamp(prefix, { started, loadavgAtStart, scheduling }),
      openssl: execFileSync('openssl', ['version'], { encoding: 'utf8' }).trim(),
      clkTck: CLK_TCK,
      sysctls,
    },
    config: {
      workers: config.workers,
      backlog: config.backlog,
      rsaBits: config.rsaBits,
      serialCount: config.serialCount,
      stormCount: config.stormCount,
      stormSeconds: config.stormSeconds,
    },
    workerCpuMs: {
      beforeSerial: cpuBeforeSerial,
      afterSerial: cpuAfterSerial,
      beforeStorm: cpuBeforeStorm,
      afterStorm: cpuAfterStorm,
    },
    counters: { before: countersBefore, after: countersAfter },
    samples,
    errorLog: errorLog.split('\n').filter(Boolean).slice(0, 100),
    serial: serial.conns,
    storm: storm.conns,
  };
  data.summary = config.summarise(data);
  return data;
}
