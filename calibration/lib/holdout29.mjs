// Held-out kernel runs, round 29 (session 34, hold29): session 33's two kernel rules that no
// recording had checked, on this machine's Linux in a network namespace this harness creates
// (lib/holdout29.py does the sockets; one namespace per run, its sysctls set here).
//
// - kern33 48eb22fb: a remote client's final ACK meets the listener's accept queue one round trip
//   after its SYN (tcp_conn_request checks sk_acceptq_is_full at the SYN and makes a request sock,
//   or a SYN cookie past the SYN queue; tcp_check_req -> tcp_v4_syn_recv_sock checks it again at
//   the ACK: exit_overflow, ListenOverflows, the client ESTABLISHED all the same). The round trip
//   is the client's delayed final ACK (TCP_DEFER_ACCEPT on the connecting socket:
//   tcp_rcv_synsent_state_process, TCP_DELACK_MAX 200 ms), this kernel having no sch_netem.
//   Runs -ackq-burst (20 connects at once to backlog 4) and -ackq-paced (20 connects 45 ms apart).
// - kern33 d8fe8fd3: tcp_max_tw_buckets counts the FIN_WAIT2 timewait socks with the TIME_WAITs
//   (inet_twsk_alloc: the death row's tw_refcount). tcp_max_tw_buckets 16 in the namespace; runs
//   -tw-fw2-10 (10 orphaned FIN_WAIT2 then 20 client-first closes), -tw-fw2-16 (16 then 10) and
//   the control -tw-fw2-0 (20 closes alone).
//
// Twins calibration/kernel-twins.mjs runFinalAckTwin / runTwBucketsTwin, predictions
// calibration/data/holdout29-predictions.json, committed before the runs were recorded; the
// comparison is test/calibration/holdout29.test.ts.
//
//   node calibration/lib/holdout29.mjs [--only <substring>] [--rt <prio>]
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kernelConfig, RECORDED_SYSCTLS } from './experiment.mjs';
import {
  cleanupAll,
  createNamespace,
  gather,
  readSysctl,
  recorderArgs,
  setSysctl,
  spawnInNamespace,
} from './netns.mjs';
import { sourceCommit } from './source-commit.mjs';

const WORKER = fileURLToPath(new URL('./holdout29.py', import.meta.url));
const DATA = fileURLToPath(new URL('../data/', import.meta.url));
const PORT = 9000;

/** The runs: what holdout29.py is given, and the namespace's sysctls. */
export const HOLDOUT29_RUNS = [
  {
    name: 'kernel-holdout29-ackq-burst',
    description: 'listener backlog 4, never accept()ing; 20 connects at once, final ACKs delayed (TCP_DEFER_ACCEPT)',
    sysctls: {},
    args: ['ackq', PORT, 4, 20, 0, 0.6],
  },
  {
    name: 'kernel-holdout29-ackq-paced',
    description:
      'listener backlog 4, never accept()ing; 20 connects 45 ms apart, final ACKs delayed (TCP_DEFER_ACCEPT)',
    sysctls: {},
    args: ['ackq', PORT, 4, 20, 45, 1.15],
  },
  {
    name: 'kernel-holdout29-tw-fw2-10',
    description: 'tcp_max_tw_buckets 16: 10 orphaned FIN_WAIT2, then 20 client-first closes 20 ms apart',
    sysctls: { 'net.ipv4.tcp_max_tw_buckets': 16 },
    args: ['tw', PORT, 10, 20, 20],
  },
  {
    name: 'kernel-holdout29-tw-fw2-16',
    description: 'tcp_max_tw_buckets 16: 16 orphaned FIN_WAIT2, then 10 client-first closes 20 ms apart',
    sysctls: { 'net.ipv4.tcp_max_tw_buckets': 16 },
    args: ['tw', PORT, 16, 10, 20],
  },
  {
    name: 'kernel-holdout29-tw-fw2-0',
    description: 'tcp_max_tw_buckets 16: no FIN_WAIT2, 20 client-first closes 20 ms apart (control)',
    sysctls: { 'net.ipv4.tcp_max_tw_buckets': 16 },
    args: ['tw', PORT, 0, 20, 20],
  },
];

/** The run's config as the twins read it (kernel-twins.mjs). */
export function configOf(run) {
  const [mode, , a, b, c] = run.args;
  return mode === 'ackq'
    ? { mode, backlog: a, connects: b, spacingMs: c, observeS: run.args[5] }
    : { mode, finWait2: a, closes: b, spacingMs: c, maxTwBuckets: run.sysctls['net.ipv4.tcp_max_tw_buckets'] };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function record(run, rt) {
  const started = new Date();
  const loadavgAtStart = readFileSync('/proc/loadavg', 'utf8').trim();
  const ns = createNamespace('h29');
  for (const [k, v] of Object.entries(run.sysctls)) setSysctl(ns, k, v);
  const sysctls = Object.fromEntries(RECORDED_SYSCTLS.map((k) => [k, readSysctl(ns, k)]));
  for (const k of ['net.ipv4.tcp_syncookies', 'net.ipv4.tcp_abort_on_overflow', 'net.ipv4.tcp_fin_timeout'])
    sysctls[k] = readSysctl(ns, k);
  const wrap = rt ? ['chrt', '-f', String(rt)] : [];
  const child = spawnInNamespace(ns, [...wrap, 'python3', WORKER, ...run.args.map(String)]);
  const output = gather(child);
  const code = await Promise.race([output.exit, sleep(30_000).then(() => 'timeout')]);
  cleanupAll();
  if (code !== 0) throw new Error(`${run.name}: worker exit ${code}: ${output.err}`);
  const result = JSON.parse(output.out);
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
  const { runs, rt } = recorderArgs(HOLDOUT29_RUNS);
  for (const run of runs) {
    console.log(run.name);
    const { result: r } = await record(run, rt);
    const { ss, sent, connected, ...rest } = r;
    console.log(`  ${JSON.stringify({ ...rest, connected: connected?.length })}`);
  }
}
