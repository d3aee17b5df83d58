// Held-out round 30, second batch (session 35, hold30): mut34 4d472c76, a FIN_WAIT2 transition
// past tcp_max_tw_buckets gets no timewait sock (net/ipv4/tcp_minisocks.c tcp_time_wait():
// inet_twsk_alloc() returns NULL once TIME_WAITs and FIN_WAIT2 timewait socks together reach the
// limit; TCPTimeWaitOverflow, tcp_done(): the socket closed at once, its port free), at counts the
// calibration recording (kernel-tw-overflow-finwait2-rt: 30 FIN_WAIT2 closes, limit 10, an empty
// table) did not use: the table filled first by TIME_WAITs. On this machine's Linux in a network
// namespace this harness creates (lib/holdout30.py does the sockets, with round 29's helpers).
//
// Runs -tw8-fw2-10 (tcp_max_tw_buckets 12: 8 client-first closes into TIME_WAIT, then 10
// orphaned FIN_WAIT2 closes) and -tw12-fw2-6 (12 TIME_WAITs fill the table, then 6).
//
// Twin: test/calibration/holdout30b.test.ts (sim/net/host-sockets.ts HostSockets on each run's
// config); predictions calibration/data/holdout30b-predictions.json, committed before the runs
// were recorded.
//
//   flock /work/wt/calib.lock node calibration/lib/holdout30.mjs --rt 10 [--only <substring>]
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { kernelConfig, RECORDED_SYSCTLS } from './experiment.mjs';
import { cleanupAll, createNamespace, namespaceSupport, readSysctl, setSysctl, spawnInNamespace } from './netns.mjs';
import { sourceCommit } from './source-commit.mjs';

const WORKER = fileURLToPath(new URL('./holdout30.py', import.meta.url));
const DATA = fileURLToPath(new URL('../data/', import.meta.url));
const PORT = 9000;

/** The runs: what holdout30.py is given, and the namespace's sysctls. */
export const HOLDOUT30_KERNEL_RUNS = [
  {
    name: 'kernel-holdout30-tw8-fw2-10',
    description:
      'tcp_max_tw_buckets 12: 8 client-first closes (TIME_WAIT), then 10 orphaned FIN_WAIT2 closes, 20 ms apart',
    sysctls: { 'net.ipv4.tcp_max_tw_buckets': 12 },
    args: ['twfw2', PORT, 8, 10, 20],
  },
  {
    name: 'kernel-holdout30-tw12-fw2-6',
    description:
      'tcp_max_tw_buckets 12: 12 client-first closes fill the table, then 6 orphaned FIN_WAIT2 closes, 20 ms apart',
    sysctls: { 'net.ipv4.tcp_max_tw_buckets': 12 },
    args: ['twfw2', PORT, 12, 6, 20],
  },
];

/** The run's config as the twin reads it (holdout30b.test.ts). */
export function configOf(run) {
  const [mode, , timeWaits, finWait2, spacingMs] = run.args;
  return { mode, timeWaits, finWait2, spacingMs, maxTwBuckets: run.sysctls['net.ipv4.tcp_max_tw_buckets'] };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function record(run, rt) {
  const started = new Date();
  const loadavgAtStart = readFileSync('/proc/loadavg', 'utf8').trim();
  const ns = createNamespace('h30');
  for (const [k, v] of Object.entries(run.sysctls)) setSysctl(ns, k, v);
  const sysctls = Object.fromEntries(RECORDED_SYSCTLS.map((k) => [k, readSysctl(ns, k)]));
  for (const k of ['net.ipv4.tcp_syncookies', 'net.ipv4.tcp_abort_on_overflow', 'net.ipv4.tcp_fin_timeout'])
    sysctls[k] = readSysctl(ns, k);
  const wrap = rt ? ['chrt', '-f', String(rt)] : [];
  const child = spawnInNamespace(ns, [...wrap, 'python3', WORKER, ...run.args.map(String)]);
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  const code = await Promise.race([new Promise((r) => child.on('exit', r)), sleep(30_000).then(() => 'timeout')]);
  cleanupAll();
  if (code !== 0) throw new Error(`${run.name}: worker exit ${code}: ${err}`);
  const result = JSON.parse(out);
  const stamp = {
    kernel: execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim(),
    kernelConfig: kernelConfig(),
    python: execFileSync('python3', ['--version'], { encoding: 'utf8' }).trim(),
    node: process.version,
    date: started.toISOString(),
    loadavg: readFileSync('/proc/loadavg', 'utf8').trim(),
    loadavgAtStart,
    scheduling: rt ? { requested: `SCHED_FIFO ${rt}` } : null,
    sourceCommit: sourceCommit(),
    description: run.description,
  };
  const data = { stamp, config: { ...configOf(run), args: run.args, sysctlsSet: run.sysctls, sysctls }, result };
  writeFileSync(join(DATA, `${run.name}-rt.json`), `${JSON.stringify(data, null, 1)}\n`);
  return data;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { only: { type: 'string' }, rt: { type: 'string' } } });
  const support = namespaceSupport();
  if (!support.ok) throw new Error(support.reason);
  for (const run of HOLDOUT30_KERNEL_RUNS.filter((r) => !values.only || r.name.includes(values.only))) {
    console.log(run.name);
    const { result: r } = await record(run, values.rt ? Number(values.rt) : null);
    const { ss, ssBeforePhase2, ...rest } = r;
    console.log(`  ${JSON.stringify(rest)}`);
  }
}
