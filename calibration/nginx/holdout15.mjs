// Held-out round 15 (session 23): the two nginx 1.22.1 + Linux rules session 22 modelled and no
// recording tested, each under a TLS storm that keeps the workers' accept queues long (tls-storm.mjs's
// nginx, RSA-4096, TLS 1.3, `listen 127.0.0.1:443 ssl backlog=511`, nginx's own default backlog):
//   - 6fd3eab: `nginx -s reload` from worker_processes 2 to 1 with `listen … reuseport`. ngx_init_cycle
//     (src/core/ngx_cycle.c) gives the one new entry old worker 0's socket and closes the master's
//     copy of old worker 1's (`remain == 0`); the old workers close theirs at their QUIT (100 ms after
//     the new worker's fork, ngx_master_process_cycle), each after its current pass
//     (ngx_close_listening_sockets), and Linux resets what that socket's accept queue still holds
//     (inet_csk_listen_stop; net.ipv4.tcp_migrate_req 0);
//   - 5681843: `nginx -s quit` while WebSocket clients' upgrades wait behind their TLS handshakes in
//     the accept queue: the queued connections are reset, their upgrade never sent.
// Seen from the client (tls-client.mjs storm mode, paced: connection i opens at i × paceMs): a
// connection reset in the accept queue fails with ECONNRESET before its handshake (err, errAt).
//
// Scheduling (--rt R): the workers run SCHED_FIFO R, as in every earlier --rt recording; the harness,
// the nginx master, `nginx -s`, the client and the backend run SCHED_FIFO R + 1. Under the storm both
// workers never block (each pass finds the next handshake ready), so a master of their own priority
// would not run its reload until a worker's queue emptied — on a 2-core machine with the client on
// one core, not the host the model's 100 ms describes. The master starts under `chrt -R`
// (SCHED_RESET_ON_FORK): its workers start SCHED_OTHER and the harness sets each to SCHED_FIFO R as it
// first sees it (every 10 ms), so a new worker does not preempt the old ones either.
// Bounded: 200 serial handshakes, then `connections` paced ones and one signal, stormSeconds (6 s).
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnInNamespace, stopChild } from '../lib/netns.mjs';
import { readLines, schedPolicy } from './experiment.mjs';
import { NGINX, nginxChildren, nginxSignal, readLog, recordingStamp } from './nginx.mjs';
import { CLK_TCK, clientPhase, readCounters, tlsConf, withTlsNginx, workersCpu } from './tls-storm.mjs';

const BACKEND = fileURLToPath(new URL('./backend.mjs', import.meta.url));
/** backend.mjs's port: the WebSocket upgrades' upstream. */
export const HOLDOUT15_BACKEND_PORT = 9000;
/** nginx's listen backlog in every run: NGX_LISTEN_BACKLOG, 511 on Linux (no overflow at these counts). */
export const HOLDOUT15_BACKLOG = 511;
/** The serial phase's handshakes (the check of the twins' handshake_cpu, read from earlier recordings). */
const SERIAL = 200;

const now = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const r3 = (x) => (x == null ? null : Math.round(x * 1000) / 1000);
const sum = (xs) => xs.reduce((a, b) => a + (b ?? 0), 0);

/**
 * A worker's scheduling: SCHED_FIFO `prio` (batch 15), or (batch 15B, `nice`) SCHED_OTHER at nice
 * -20. Batch 15's two reload runs showed why: two never-blocking SCHED_FIFO workers and the
 * SCHED_FIFO client on the 2 cores left the kernel's own threads (SCHED_OTHER: ksoftirqd, which
 * takes over loopback's softirq work past its budget; the RCU and workqueue threads `ip netns exec`
 * waits for) only the RT throttle's 5 %, so the client's connects stalled for 0.4-0.5 s and `nginx -s
 * reload` took 0.5-0.9 s. At nice -20 the workers still get ~96 % of the cores against the other
 * sessions' nice-0 load, and the kernel's threads run when they wake.
 */
function schedWorker(pid, prio, how) {
  try {
    if (how === 'fifo') execFileSync('chrt', ['-f', '-p', String(prio), String(pid)], { stdio: 'ignore' });
    else execFileSync('renice', ['-n', '-20', '-p', String(pid)], { stdio: 'ignore' });
    // Batch 15C: nginx runs in a session of its own (spawnInNamespace: setsid), so with
    // kernel.sched_autogroup_enabled 1 its workers' nice ranks them only inside that session's
    // autogroup, which CFS weighs as one nice-0 task against every other session's (batch 15B's
    // workers got 10 ms of CPU in 100 ms): the autogroup's own nice (sched_autogroup_set_nice, via
    // /proc/<pid>/autogroup) is set too.
    if (how === 'nice-autogroup') writeFileSync(`/proc/${pid}/autogroup`, '-20');
  } catch {}
}

/**
 * The nginx workers as the harness sees them every 10 ms: each new one set to SCHED_FIFO `prio`,
 * with when it was first seen, first seen shutting down and gone (CLOCK_MONOTONIC ms; stop(t0)
 * gives them in s after t0).
 */
function workerWatch(master, prio, how) {
  const seen = new Map();
  const tick = () => {
    const t = now();
    const kids = (nginxChildren(master) ?? []).filter((k) => k.title.includes('worker process'));
    for (const k of kids) {
      let w = seen.get(k.pid);
      if (!w) {
        if (prio != null) schedWorker(k.pid, prio, how);
        w = { pid: k.pid, first: t, shuttingDown: null, gone: null, sched: schedPolicy(k.pid) };
        seen.set(k.pid, w);
      }
      if (w.shuttingDown == null && k.title.includes('shutting down')) w.shuttingDown = t;
    }
    for (const w of seen.values()) if (w.gone == null && !kids.some((k) => k.pid === w.pid)) w.gone = t;
  };
  tick();
  const timer = setInterval(tick, 10);
  const rel = (t, t0) => (t == null ? null : r3((t - t0) / 1000));
  return {
    pids: () => [...seen.values()].filter((w) => w.gone == null).map((w) => w.pid),
    stop: (t0) => {
      clearInterval(timer);
      return [...seen.values()].map((w) => ({
        pid: w.pid,
        sched: w.sched,
        firstS: rel(w.first, t0),
        shuttingDownS: rel(w.shuttingDown, t0),
        goneS: rel(w.gone, t0),
      }));
    },
  };
}

/**
 * The listening sockets on :443 (`ss -Hltnp`): each one's accept queue (Recv-Q: connections handshaken,
 * not yet accepted) and the pids holding it. After a reload the socket no new worker inherited is the
 * one only old workers hold (the master closed its copy): its queue just before their QUIT is what
 * Linux resets.
 */
function listenQueues(ns) {
  return new Promise((resolve) => {
    execFile('ip', ['netns', 'exec', ns, 'ss', '-Hltnp', 'sport = :443'], (err, stdout) => {
      if (err) return resolve(null);
      resolve(
        stdout
          .split('\n')
          .filter(Boolean)
          .map((line) => {
            const f = line.trim().split(/\s+/);
            return { recvQ: Number(f[1]), pids: [...line.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])).sort() };
          }),
      );
    });
  });
}

/** How each batch's workers were scheduled, as its recordings' stamp says. */
const WORKER_SCHED = {
  fifo: (rt) => `SCHED_FIFO ${rt}`,
  nice: () => 'SCHED_OTHER nice -20',
  'nice-autogroup': () => 'SCHED_OTHER nice -20, autogroup nice -20',
};

/** config: holdout15Experiment's; run by run.mjs with { name, tag, rt }. */
export async function runHoldout15(config) {
  const rt = config.rt;
  const hi = rt != null ? rt + 1 : null;
  if (hi != null) execFileSync('chrt', ['-a', '-f', '-p', String(hi), String(process.pid)]);
  const conf = {
    workers: config.workers,
    backlog: HOLDOUT15_BACKLOG,
    reuseport: config.reuseport,
    upstreamPort: config.upgrade ? HOLDOUT15_BACKEND_PORT : null,
  };
  try {
    return await withTlsNginx(
      { ...config, rt: hi, nginxWrap: hi != null ? ['chrt', '-R', '-f', String(hi)] : [] },
      conf,
      (ctx) => phases(config, conf, rt, ctx),
    );
  } finally {
    if (rt != null) execFileSync('chrt', ['-a', '-f', '-p', String(rt), String(process.pid)]);
  }
}

async function phases(config, conf, rt, { ns, prefix, wrap, master, started, loadavgAtStart }) {
  let axis = now();
  const watch = workerWatch(master, rt, config.workerSched ?? 'fifo');
  let backend = null;
  try {
    if (config.upgrade) {
      backend = spawnInNamespace(ns, [...wrap, process.execPath, BACKEND, String(HOLDOUT15_BACKEND_PORT)]);
      await readLines(backend, [], 'listening', 10_000);
    }
    await sleep(200);
    const workers0 = watch.pids();

    // 1. The handshake's CPU, serially (the twins take 4.4 ms from the earlier RSA-4096 recordings).
    const cpuBeforeSerial = workersCpu(workers0);
    const serial = await clientPhase(ns, wrap, { mode: 'serial', count: SERIAL, endMs: 60_000 });
    const cpuAfterSerial = workersCpu(workers0);
    await sleep(1000);

    // 2. The paced storm, and the signal at its planned time after the client's start.
    const countersBefore = await readCounters(ns);
    const action = { signal: config.signal, plannedS: config.atMs / 1000, s: null, tookMs: null, to: null };
    const fire = () => {
      if (config.reloadTo != null) {
        // The new nginx.conf, read by the master at the SIGHUP (ngx_init_cycle).
        writeFileSync(join(prefix, 'nginx.conf'), tlsConf(prefix, { ...conf, workers: config.reloadTo }));
        action.to = { workers: config.reloadTo };
      }
      const t = now();
      action.s = r3((t - axis) / 1000);
      if (!config.asyncSignal) {
        nginxSignal(ns, prefix, config.signal);
        action.tookMs = r3(now() - t);
        return;
      }
      // Batch 15B: the same `nginx -s`, without stopping the harness's samplers while it runs.
      execFile(
        'ip',
        ['netns', 'exec', ns, NGINX, '-p', prefix, '-c', join(prefix, 'nginx.conf'), '-s', config.signal],
        () => {
          action.tookMs = r3(now() - t);
        },
      );
    };
    const cpuSamples = [];
    const sampler = setInterval(() => {
      const pids = watch.pids();
      cpuSamples.push({ s: r3((now() - axis) / 1000), pids, cpuMs: workersCpu(pids) });
    }, 100);
    // The accept queues every 20 ms over the first 1.5 s of the storm (the signal's and the QUIT's),
    // from the client's start.
    const queueSamples = [];
    let queuing = true;
    let queueSampler = Promise.resolve();
    const sampleQueues = async () => {
      while (queuing) {
        const t = now();
        const socks = await listenQueues(ns);
        queueSamples.push({ s: r3((t - axis) / 1000), socks });
        if (t - axis > 1500) break;
        await sleep(20);
      }
    };
    const storm = await clientPhase(
      ns,
      wrap,
      {
        mode: 'storm',
        count: config.connections,
        paceMs: config.paceMs,
        upgrade: config.upgrade,
        endMs: config.stormSeconds * 1000,
      },
      null,
      (t0) => {
        // The client's clock is the harness's (CLOCK_MONOTONIC): every time below is s after t0.
        axis = t0;
        setTimeout(fire, Math.max(0, t0 + config.atMs - now()));
        queueSampler = sampleQueues();
      },
    );
    clearInterval(sampler);
    queuing = false;
    await queueSampler;
    const countersAfter = await readCounters(ns);
    const workers = watch.stop(axis);
    const errorLog = readLog(prefix, 'error.log');
    const data = {
      experiment: config.name,
      description: config.description,
      stamp: {
        ...recordingStamp(prefix, {
          started,
          loadavgAtStart,
          scheduling: {
            requested:
              rt != null
                ? `${WORKER_SCHED[config.workerSched ?? 'fifo'](rt)} (workers), SCHED_FIFO ${rt + 1} (harness, master, client)`
                : 'default',
            harness: schedPolicy(process.pid),
            nginxMaster: schedPolicy(master),
          },
        }),
        loadavgAtEnd: readFileSync('/proc/loadavg', 'utf8').trim(),
        openssl: execFileSync('openssl', ['version'], { encoding: 'utf8' }).trim(),
        clkTck: CLK_TCK,
      },
      config: {
        workers: config.workers,
        reuseport: config.reuseport,
        backlog: HOLDOUT15_BACKLOG,
        upgrade: config.upgrade,
        rsaBits: config.rsaBits,
        connections: config.connections,
        paceMs: config.paceMs,
        signal: config.signal,
        atMs: config.atMs,
        reloadTo: config.reloadTo,
        stormSeconds: config.stormSeconds,
        workerSched: config.workerSched ?? 'fifo',
        asyncSignal: config.asyncSignal ?? false,
      },
      action,
      workers,
      serialCpuMs: r3(sum(cpuAfterSerial) - sum(cpuBeforeSerial)),
      counters: { before: countersBefore, after: countersAfter },
      errorLog: errorLog.split('\n').filter(Boolean).slice(0, 200),
      samples: cpuSamples,
      queues: queueSamples,
      serial: serial.conns,
      storm: storm.conns,
    };
    data.summary = summariseHoldout15(data);
    return data;
  } finally {
    watch.stop(axis);
    if (backend) stopChild(backend);
  }
}

/** What the round's figures read, in one place (test/calibration/holdout15-figures.ts reads the raw lists). */
export function summariseHoldout15(data) {
  const at = data.config.atMs / 1000;
  const storm = data.storm;
  const reset = storm.filter((c) => c.tls == null && c.err === 'ECONNRESET');
  const errs = {};
  for (const c of storm.filter((x) => x.err)) {
    const k = `${c.err}${c.tls == null ? ' before handshake' : ''}`;
    errs[k] = (errs[k] ?? 0) + 1;
  }
  const diff = {};
  for (const k of Object.keys(data.counters.after)) diff[k] = data.counters.after[k] - (data.counters.before[k] ?? 0);
  return {
    scheduling: data.stamp.scheduling.requested,
    loadavgAtStart: data.stamp.loadavgAtStart,
    handshakeCpuMs: r3(data.serialCpuMs / SERIAL),
    connections: storm.length,
    issuedWithinS: r3(Math.max(...storm.map((c) => c.start))),
    signal: data.action,
    handshaken: storm.filter((c) => c.tls != null).length,
    handshakenBySignal: storm.filter((c) => c.tls != null && c.tls <= at).length,
    upgraded: storm.filter((c) => c.up != null).length,
    resetBeforeHandshake: reset.length,
    resetFromS: r3(Math.min(...reset.map((c) => c.errAt))),
    resetToS: r3(Math.max(...reset.map((c) => c.errAt))),
    errors: errs,
    lastHandshakeS: r3(Math.max(...storm.filter((c) => c.tls != null).map((c) => c.tls))),
    workers: data.workers,
    counters: diff,
  };
}

/**
 * A round-15 run: `connections` TLS connections paced `paceMs` apart from the client's start
 * against nginx with `workers` workers (`reuseport`), `signal` ('reload' to `reloadTo` workers, or
 * 'quit') at `atMs` after the client's start; `upgrade`: each connection sends a WebSocket upgrade
 * once handshaken (nginx proxies it to backend.mjs). The twins (holdout15-twin.mjs) read these.
 */
export function holdout15Experiment(o) {
  const stormSeconds = 6;
  return {
    rsaBits: 4096,
    stormSeconds,
    seconds: stormSeconds + 10,
    ...o,
    description:
      `Held-out round 15: ${o.connections} TLS connections (RSA-4096, TLS 1.3, full handshakes) paced ` +
      `${o.paceMs} ms apart against nginx \`listen 443 ssl backlog=${HOLDOUT15_BACKLOG}${o.reuseport ? ' reuseport' : ''}\` ` +
      `with ${o.workers} worker${o.workers > 1 ? 's' : ''}${o.upgrade ? ', each sending a WebSocket upgrade once handshaken' : ''}; ` +
      `\`nginx -s ${o.signal}\`${o.reloadTo != null ? ` to worker_processes ${o.reloadTo}` : ''} at ${o.atMs} ms. ` +
      'Per connection: connect, handshake, error (ECONNRESET: reset in the accept queue) and 101 times.',
    run: runHoldout15,
    summarise: summariseHoldout15,
  };
}

export const HOLDOUT15_EXPERIMENTS = [
  // 6fd3eab: ~300 connections hashed to each socket within 0.15 s, the reload 0.1 s later.
  holdout15Experiment({
    name: 'nginx-holdout15-reload-w2to1-reuseport-c600',
    workers: 2,
    reuseport: true,
    upgrade: false,
    connections: 600,
    paceMs: 0.25,
    signal: 'reload',
    reloadTo: 1,
    atMs: 250,
  }),
  // 6fd3eab with WebSocket clients (5681843's upgradesScheduled on the dropped socket), a reload
  // while the storm still comes: the connections after the old workers' close all go to socket 0.
  holdout15Experiment({
    name: 'nginx-holdout15-reload-w2to1-reuseport-ws-c400',
    workers: 2,
    reuseport: true,
    upgrade: true,
    connections: 400,
    paceMs: 0.4,
    signal: 'reload',
    reloadTo: 1,
    atMs: 150,
  }),
  // 5681843: one worker, WebSocket upgrades behind their queued handshakes, `nginx -s quit`.
  holdout15Experiment({
    name: 'nginx-holdout15-quit-w1-ws-c400',
    workers: 1,
    reuseport: false,
    upgrade: true,
    connections: 400,
    paceMs: 0.25,
    signal: 'quit',
    reloadTo: null,
    atMs: 200,
  }),
];

/**
 * Batch 15B (predicted before its recordings, after batch 15's): the two reload runs again, the same
 * input, with the workers at SCHED_OTHER nice -20 and `nginx -s reload` run asynchronously (see
 * schedWorker): batch 15's reload runs did not get their input (connects and reload late).
 */
export const HOLDOUT15B_EXPERIMENTS = HOLDOUT15_EXPERIMENTS.filter((e) => e.signal === 'reload').map((e) => ({
  ...e,
  name: e.name.replace('nginx-holdout15-', 'nginx-holdout15b-'),
  description: `${e.description} Batch 15B: workers SCHED_OTHER nice -20, \`nginx -s\` asynchronous.`,
  workerSched: 'nice',
  asyncSignal: true,
}));

/**
 * Batch 15C (predicted before its recordings, after batch 15B's): the same two reload runs and input,
 * the workers at nice -20 in an autogroup of nice -20 (schedWorker): batch 15B's workers, at nice
 * -20 inside nginx's own nice-0 autogroup, got about a tenth of a core each.
 */
export const HOLDOUT15C_EXPERIMENTS = HOLDOUT15B_EXPERIMENTS.map((e) => ({
  ...e,
  name: e.name.replace('nginx-holdout15b-', 'nginx-holdout15c-'),
  description: e.description.replace(
    'Batch 15B: workers SCHED_OTHER nice -20',
    'Batch 15C: workers SCHED_OTHER nice -20 in an autogroup of nice -20',
  ),
  workerSched: 'nice-autogroup',
}));
