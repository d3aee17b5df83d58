// Run one experiment in a fresh namespace: set its sysctls, start server and client inside it,
// sample `ss -Htan` once a second, then tear everything down. Returns the data file's content.
import { execFile, execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { counterGrowth, cpuAffinity, cpuCounters } from './cpus.mjs';
import {
  createNamespace,
  deleteNamespace,
  nsCounters,
  readSysctl,
  setSysctl,
  spawnInNamespace,
  stopChild,
} from './netns.mjs';
import { countStates, mean, portStats, round, stallSeconds, tailRatio } from './sample.mjs';
import { sourceCommit } from './source-commit.mjs';

const WORKER = fileURLToPath(new URL('./worker.mjs', import.meta.url));
const BLOCKING_SERVER = fileURLToPath(new URL('./blocking-server.py', import.meta.url));
/**
 * Each experiment gets its own server port: table_perturb[] and the port-offset hash of
 * __inet_hash_connect are global to the kernel, not per namespace (secure_ipv4_port_ephemeral()
 * hashes saddr, daddr, dport and the period only), so two namespaces connecting to the same
 * 127.0.0.1:port at once would advance one shared walk and each see doubled steps.
 */
const DEFAULT_SERVER_PORT = 8080;
/** How many ports of the per-connect log go into the data file verbatim. */
const PORTS_KEPT = 3000;

/** Sysctls recorded with every experiment (values inside its namespace). */
export const RECORDED_SYSCTLS = [
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_tw_reuse',
  'net.ipv4.tcp_tw_reuse_delay',
  'net.ipv4.tcp_timestamps',
  'net.ipv4.tcp_max_tw_buckets',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_max_syn_backlog',
  'net.core.somaxconn',
  'net.ipv4.tcp_syn_retries',
  'net.ipv4.tcp_syn_linear_timeouts',
];

/** CONFIG_HZ and the port-perturbation table size of the running kernel, if /proc/config.gz exists. */
export function kernelConfig() {
  try {
    const text = execFileSync('zcat', ['/proc/config.gz'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const pick = (key) => text.match(new RegExp(`^${key}=(.*)$`, 'm'))?.[1] ?? null;
    return { CONFIG_HZ: pick('CONFIG_HZ'), CONFIG_INET_TABLE_PERTURB_ORDER: pick('CONFIG_INET_TABLE_PERTURB_ORDER') };
  } catch {
    return null;
  }
}

function ssSample(ns) {
  return new Promise((resolve, reject) => {
    execFile('ip', ['netns', 'exec', ns, 'ss', '-Htan'], { maxBuffer: 256 << 20 }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    );
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function waitForLine(child, text, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${text}" within ${timeoutMs} ms`)), timeoutMs);
    const rl = createInterface({ input: child.stdout });
    rl.on('line', (line) => {
      if (line === text) {
        clearTimeout(timer);
        rl.close();
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code} before "${text}"`)));
  });
}

/**
 * config: { name, description, rate, seconds, closer: 'client'|'server', sysctls: {key: value},
 *           maxConnects?, bindAddress?, tag }
 */
export async function runExperiment(config) {
  const ns = createNamespace(config.tag ?? config.name);
  const started = new Date();
  const loadAtStart = loadavg().map((x) => round(x, 2));
  const SERVER_PORT = config.serverPort ?? DEFAULT_SERVER_PORT;
  try {
    for (const [key, value] of Object.entries(config.sysctls)) setSysctl(ns, key, value);
    const sysctls = Object.fromEntries(RECORDED_SYSCTLS.map((k) => [k, readSysctl(ns, k)]));
    const range = sysctls['net.ipv4.ip_local_port_range'].split(' ').map(Number);

    // config.blocking: { backlog, serviceMs } — a one-worker server whose accept queue fills.
    const server = spawnInNamespace(
      ns,
      config.blocking
        ? [
            'python3',
            BLOCKING_SERVER,
            String(SERVER_PORT),
            String(config.blocking.backlog),
            String(config.blocking.serviceMs),
          ]
        : [process.execPath, WORKER, 'server', String(SERVER_PORT), config.closer],
    );
    await waitForLine(server, 'listening', 10_000);
    const countersBefore = cpuCounters();
    const tcpBefore = nsCounters(ns);

    const maxConnects = config.maxConnects ?? Math.ceil(config.rate * config.seconds);
    const clientArgs = [
      process.execPath,
      // run.mjs --cpus runs under --single-threaded (why: there); the node client likewise.
      ...process.execArgv.filter((a) => a === '--single-threaded'),
      WORKER,
      'client',
      String(SERVER_PORT),
      config.closer,
      String(config.rate),
      String(config.seconds),
      String(maxConnects),
    ];
    if (config.bindAddress) clientArgs.push(config.bindAddress);
    const t0 = performance.now();
    const client = spawnInNamespace(ns, clientArgs);
    // `ip netns exec` execs the command in place: the child's pid is the server's / client's own.
    const affinity = {
      harness: cpuAffinity(process.pid),
      server: cpuAffinity(server.pid),
      client: cpuAffinity(client.pid),
    };

    const connects = [];
    const failures = [];
    const failureCodes = {};
    const responses = [];
    const failureLog = [];
    let clientDone = false;
    const rl = createInterface({ input: client.stdout });
    rl.on('line', (line) => {
      const [kind, a, b, c] = line.split(' ');
      if (kind === 'c') connects.push({ t: Number(a), port: Number(b), index: Number(c) });
      else if (kind === 'f') {
        failures.push(Number(a));
        failureLog.push({ t: Number(a), code: b, index: Number(c) });
        failureCodes[b] = (failureCodes[b] ?? 0) + 1;
      } else if (kind === 'r') responses.push({ t: Number(a), index: Number(b) });
      else if (kind === 'done') clientDone = true;
    });
    const clientExit = new Promise((resolve) => client.on('exit', resolve));

    // Per-second samples; a sample is stamped with the time its ss run started.
    const samples = [];
    const hardStop = config.seconds + 15;
    for (let s = 1; s <= hardStop; s++) {
      const due = t0 + s * 1000;
      await sleep(Math.max(0, due - performance.now()));
      const tSample = (performance.now() - t0) / 1000;
      const counts = countStates(await ssSample(ns), SERVER_PORT);
      samples.push({ t: round(tSample, 2), ...counts });
      if (s >= config.seconds && clientDone) break;
    }
    await Promise.race([clientExit, sleep(5000)]);
    const growth = counterGrowth(countersBefore, cpuCounters());
    const tcpAfter = nsCounters(ns);
    stopChild(client);
    stopChild(server);

    connects.sort((x, y) => x.index - y.index);
    const perSecond = samples.map((sample) => {
      const lo = (sample.t - 1) * 1000;
      const hi = sample.t * 1000;
      return {
        ...sample,
        timeWait: sample.timeWaitClient + sample.timeWaitServer,
        connects: connects.filter((c) => c.t >= lo && c.t < hi).length,
        failures: failures.filter((f) => f >= lo && f < hi).length,
      };
    });
    return {
      experiment: config.name,
      description: config.description,
      stamp: runStamp(started, loadAtStart, sysctls),
      config: {
        rate: config.rate,
        seconds: config.seconds,
        closer: config.closer,
        bindAddress: config.bindAddress ?? null,
        blocking: config.blocking ?? null,
        keepFailures: config.keepFailures ?? false,
        maxConnects,
        serverPort: SERVER_PORT,
        sysctlsSet: config.sysctls,
      },
      summary: summarise(config, perSecond, connects, failures, failureCodes, range),
      // Where it ran (run.mjs --cpus): each process's allowed CPUs, and per CPU what the
      // machine's softirq and backlog counters grew by from the client's start to its end.
      perCpu: { affinity, ...growth },
      // The namespace's TCP counters that grew over the run (ListenOverflows, TCPTimeouts …).
      tcpCounters: Object.fromEntries(
        Object.entries(tcpAfter)
          .map(([k, v]) => [k, v - (tcpBefore[k] ?? 0)])
          .filter(([k, d]) => d !== 0 && !/^Tcp(CurrEstab|MaxConn|RtoMin|RtoMax|RtoAlgorithm)$/.test(k)),
      ),
      perSecond,
      ...(config.blocking ? { responses: responseLog(config, connects, responses) } : {}),
      // config.keepFailures: every failed attempt, { t ms, code, index } in attempt order.
      ...(config.keepFailures ? { failureLog: failureLog.sort((x, y) => x.index - y.index) } : {}),
      ports: {
        stats: portStats(connects, range),
        first: connects.slice(0, PORTS_KEPT).map((c) => c.port),
        firstTimesMs: connects.slice(0, PORTS_KEPT).map((c) => c.t),
      },
    };
  } finally {
    deleteNamespace(ns);
  }
}

/**
 * What a data file records of the machine and the run: kernel, CONFIG_HZ, node, start, the load
 * average at the start and now, the harness's scheduling policy and allowed CPUs (run.mjs --rt,
 * --cpus), the namespace's sysctls.
 */
export function runStamp(started, loadAtStart, sysctls) {
  return {
    kernel: execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim(),
    kernelConfig: kernelConfig(),
    node: process.version,
    nodeFlags: process.execArgv,
    date: started.toISOString(),
    loadAverage: { start: loadAtStart, end: loadavg().map((x) => round(x, 2)) },
    scheduling: schedulingOf(process.pid),
    cpuAffinity: cpuAffinity(process.pid),
    sysctls,
    sourceCommit: sourceCommit(),
  };
}

/** The harness's scheduling policy as `chrt -p` prints it (run.mjs --rt sets SCHED_FIFO). */
function schedulingOf(pid) {
  try {
    return execFileSync('chrt', ['-p', String(pid)], { encoding: 'utf8' })
      .trim()
      .replace(/\s+/g, ' ');
  } catch {
    return null;
  }
}

/**
 * The accept-queue runs: each answered attempt's connect and response latency (ms after the
 * attempt was issued: (index + 1) / rate), in attempt order.
 */
function responseLog(config, connects, responses) {
  const connectAt = new Map(connects.map((c) => [c.index, c.t]));
  // The client's tick issues attempt i once floor(elapsed · rate) > i: at (i + 1) / rate.
  const due = (index) => ((index + 1) * 1000) / config.rate;
  return responses
    .sort((x, y) => x.index - y.index)
    .map((r) => ({
      index: r.index,
      t: r.t,
      connectMs: Math.round((connectAt.get(r.index) ?? Number.NaN) - due(r.index)),
      responseMs: Math.round(r.t - due(r.index)),
    }));
}

function summarise(config, perSecond, connects, failures, failureCodes, range) {
  const attempts = connects.length + failures.length;
  const secs = config.seconds;
  // Achieved rate over the whole run (attempts/s), and of successful connects.
  const attemptRate = attempts / secs;
  const connectRate = connects.length / secs;
  const summary = {
    attempts,
    connects: connects.length,
    failures: failures.length,
    failureCodes,
    achievedAttemptRate: round(attemptRate, 2),
    achievedConnectRate: round(connectRate, 2),
    firstFailureS: failures.length ? round(Math.min(...failures) / 1000, 3) : null,
    stallSeconds: stallSeconds(perSecond, config.rate, secs),
  };
  // Plateau: mean over the samples in the last 25 s of the run (TIME_WAIT lasts ≈ 60 s).
  const window = perSecond.filter((s) => s.t > secs - 25 && s.t <= secs + 0.5);
  if (secs >= 90 && window.length > 0) {
    const steadyRate =
      connects.filter((c) => c.t >= (secs - 85) * 1000 && c.t < secs * 1000).length / Math.min(85, secs);
    const pick = (k) => round(mean(window.map((s) => s[k])), 1);
    const plateau = {
      windowS: [round(window[0].t, 1), round(window[window.length - 1].t, 1)],
      steadyConnectRate: round(steadyRate, 2),
      timeWait: pick('timeWait'),
      timeWaitClient: pick('timeWaitClient'),
      timeWaitServer: pick('timeWaitServer'),
      timeWaitMin: Math.min(...window.map((s) => s.timeWait)),
      timeWaitMax: Math.max(...window.map((s) => s.timeWait)),
    };
    plateau.ratioToRateTimes60s = round(plateau.timeWait / (steadyRate * 60), 3);
    plateau.ratioLast10s = tailRatio(perSecond, steadyRate, secs, 10);
    summary.plateau = plateau;
  }
  if (failures.length) {
    const after = connects.filter((c) => c.t >= summary.firstFailureS * 1000 + 1000);
    const spanS = secs - summary.firstFailureS - 1;
    summary.connectRateAfterFirstFailure = spanS > 0 ? round(after.length / spanS, 2) : null;
    summary.portRangeSize = range[1] - range[0] + 1;
  }
  return summary;
}
