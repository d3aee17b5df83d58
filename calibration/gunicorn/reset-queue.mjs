#!/usr/bin/env node
// A connection reset while it waits in a gunicorn sync worker's accept queue (session 35, abort35):
// what `option abortonclose` does to the app's side (HAProxy closes an established server
// connection with SO_LINGER 0 at its client's close: README Known limitations, lb.abortonclose).
//
// The source says (Linux 6.x; gunicorn 20.1.0):
// - The RST reaches the child, ESTABLISHED in the established hash while it waits in the listener's
//   accept queue: tcp_v4_rcv() → tcp_rcv_established() → tcp_validate_incoming() → tcp_reset()
//   (net/ipv4/tcp_input.c) sets sk_err = ECONNRESET, purges the WRITE queue only and calls
//   tcp_done() (net/ipv4/tcp.c): TCP_CLOSE (unhashed: ss no longer lists it), sk_shutdown =
//   SHUTDOWN_MASK. The child is not SOCK_DEAD (no socket grafted yet), so it is not destroyed and
//   nothing unlinks it from icsk_accept_queue: it stays there, counted in sk_ack_backlog (the
//   listener's Recv-Q), until accept() takes it — reqsk_queue_remove() in inet_csk_accept()
//   (net/ipv4/inet_connection_sock.c), which looks at no state, and __inet_accept()
//   (net/ipv4/af_inet.c) admits TCPF_CLOSE. accept()'s own peer address is read with
//   getname(…, 2), which inet_getname() answers for a closed socket too (only peer == 1,
//   getpeername(), gets ENOTCONN). Only the listener's close would drop it (inet_csk_listen_stop()
//   → inet_child_forget()).
// - recv() hands over what the receive queue holds first; the error comes only when it is empty
//   (tcp_recvmsg_locked(): the queue walk, then `if (copied) … else if (sk->sk_err) copied =
//   sock_error(sk)`), so the request is read whole.
// - The first send() meets sk_err: tcp_sendmsg_locked() → sk_stream_wait_connect() (not
//   ESTABLISHED/CLOSE_WAIT) → sock_error(): ECONNRESET (later ones EPIPE).
// - gunicorn's sync worker (workers/sync.py): accept() → handle(): the parser reads the request,
//   handle_request() runs the app (the whole service time), its write raises ECONNRESET, handed up
//   (`except EnvironmentError: reraise`) to handle(), which logs "Ignoring connection reset" at
//   debug level and closes the socket (no packet: it is already CLOSE). No access-log line:
//   log.access() comes after the write. The worker then accepts the next connection.
//
// One run in its own netns (lib/netns.mjs; deleted at the end): Debian's /usr/bin/gunicorn `-k sync
// -w 1`, reset-app.py with SLEEP_S=0.5 (every request 0.5 s), under `strace -f -ttt -e
// trace=accept4,recvfrom,sendto` (what accept() returned and what each syscall got; `--no-strace`
// to leave it out). reset-queue-client.mjs: connections at 0, 100 and 200 ms each reset 250 ms after
// their connect (the first while the worker serves it, the other two in the accept queue), and a
// fourth at 300 ms that waits for its answer. 6 s at most, five connections (one probe), loopback.
// Twin calibration/scenarios/gunicorn-reset-queue-sync.yaml, compared by
// test/calibration/gunicorn-reset-queue.test.ts.
//
//   flock /work/wt/calib.lock node calibration/gunicorn/reset-queue.mjs [--rt 10] [--no-strace] [--out DIR]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  cleanupAll,
  createNamespace,
  deleteNamespace,
  namespaceSupport,
  spawnInNamespace,
  stopChild,
} from '../lib/netns.mjs';
import { sourceCommit } from '../lib/source-commit.mjs';
import { gunicornVersion, PORT, scheduleRecorder } from './record-sigterm-run.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    rt: { type: 'string' },
    'no-strace': { type: 'boolean', default: false },
    out: { type: 'string', default: join(here, '..', 'data') },
  },
});
const NAME = 'gunicorn-reset-queue-sync';
const LOAD = {
  sleepS: 0.5,
  conns: [
    { startMs: 0, resetAfterMs: 250 },
    { startMs: 100, resetAfterMs: 250 },
    { startMs: 200, resetAfterMs: 250 },
    { startMs: 300, resetAfterMs: null },
  ],
  endMs: 6000,
};
const strace = !values['no-strace'] && existsSync('/usr/bin/strace');
const traceDir = strace ? mkdtempSync(join(tmpdir(), 'reset-queue-')) : null;
const traceFile = traceDir === null ? null : join(traceDir, 'strace.txt');
const GUNICORN = [
  '/usr/bin/gunicorn',
  '-k',
  'sync',
  '-w',
  '1',
  '-b',
  `127.0.0.1:${PORT}`,
  '--chdir',
  here,
  '--log-level',
  'debug',
  '--access-logfile',
  '-',
  'reset-app:app',
];
const STRACE = ['/usr/bin/strace', '-f', '-ttt', '-e', 'trace=accept4,recvfrom,sendto', '-o', traceFile];
const ARGV = ['env', `SLEEP_S=${LOAD.sleepS}`, ...(strace ? STRACE : []), ...GUNICORN];

const support = namespaceSupport();
if (!support.ok) {
  console.error(`reset-queue: ${support.reason}`);
  process.exit(2);
}
const rt = scheduleRecorder(values.rt, 'reset-queue');
const ns = createNamespace('grq');
const startedAt = new Date().toISOString();
const load = loadavg()
  .map((x) => x.toFixed(2))
  .join(' ');
const gunicorn = spawnInNamespace(ns, ARGV);
const log = [];
const lineOf = (chunk) => {
  for (const l of chunk.toString().split('\n')) if (l.trim() !== '') log.push(l);
};
gunicorn.stdout.on('data', lineOf);
gunicorn.stderr.on('data', lineOf);
const client = spawnInNamespace(ns, [
  process.execPath,
  join(here, 'reset-queue-client.mjs'),
  String(PORT),
  String(gunicorn.pid),
  strace ? '2' : '1',
  JSON.stringify(LOAD.conns),
  String(LOAD.endMs),
]);
let out = '';
client.stdout.on('data', (b) => {
  out += b.toString();
});
let clientErr = '';
client.stderr.on('data', (b) => {
  clientErr += b.toString();
});
const code = await new Promise((res) => client.on('exit', (c) => res(c)));
// SIGINT first (our child's own process group): strace detaches and flushes its file, gunicorn's
// arbiter quits; then the kill for anything left.
try {
  process.kill(-gunicorn.pid, 'SIGINT');
} catch {}
await new Promise((r) => setTimeout(r, 1000));
stopChild(gunicorn);
await new Promise((r) => setTimeout(r, 300));
deleteNamespace(ns);
cleanupAll();
if (code !== 0) {
  console.error(`reset-queue: client exited ${code}: ${out} ${clientErr}`);
  process.exit(1);
}
const result = JSON.parse(out);
const t0Mono = Number(BigInt(result.t0Mono)) / 1e9;
const sFrom = (x) => Math.round((x - t0Mono) * 10000) / 10000;

// The app's events (reset-app.py), on the client's axis.
const app = log
  .filter((l) => l.startsWith('APP '))
  .map((l) => JSON.parse(l.slice(4)))
  .map(({ mono, ...e }) => ({ ...e, s: sFrom(mono) }));
const gunicornLog = log.filter((l) => !l.startsWith('APP '));

// strace: the worker's syscalls on the client sockets after t0 (-ttt: epoch seconds).
let syscalls = null;
if (traceFile !== null) {
  const t0Epoch = result.t0Epoch / 1000;
  syscalls = [];
  for (const line of readFileSync(traceFile, 'utf8').split('\n')) {
    // A whole call, or the end of one strace split (`<... accept4 resumed>…`).
    const m =
      /^(\d+)\s+(\d+\.\d+)\s+(\w+)\((.*)\)\s+=\s+(.*)$/.exec(line) ??
      /^(\d+)\s+(\d+\.\d+)\s+<\.\.\. (\w+) resumed>(.*)\)\s+=\s+(.*)$/.exec(line);
    if (m === null) continue;
    const s = Math.round((Number(m[2]) - t0Epoch) * 10000) / 10000;
    if (s < 0) continue;
    syscalls.push({ s, pid: Number(m[1]), call: m[3], args: m[4], ret: m[5] });
  }
  rmSync(traceDir, { recursive: true, force: true });
}

const data = {
  stamp: {
    experiment: NAME,
    what: `Debian 12's gunicorn (/usr/bin/gunicorn), one sync worker, every request ${LOAD.sleepS} s; connections reset (SO_LINGER 0) while in its accept queue`,
    gunicornVersion: gunicornVersion(),
    startedAt,
    loadavgAtStart: load,
    scheduling: rt !== null ? `SCHED_FIFO ${rt}` : 'default',
    kernel: execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim(),
    sourceCommit: sourceCommit(),
    argv: ARGV.map((a) => (a === traceFile ? '<strace.txt>' : a)),
    load: LOAD,
  },
  conns: result.conns,
  app,
  syscalls,
  ss: result.ss,
  gunicornLog,
};
const file = join(values.out, `${NAME}${rt !== null ? '-rt' : ''}${strace ? '' : '-nostrace'}.json`);
writeFileSync(file, `${JSON.stringify(data, null, 1)}\n`);
const brief = app.map((e) => `${e.ev} ${e.path} ${e.s}${e.ev === 'write' ? ` ${e.errno}` : ` state ${e.tcpi_state}`}`);
console.log(
  `${NAME}: ${JSON.stringify(result.conns.map((c) => [c.path, c.outcome, c.status, c.endS]))}\n  ${brief.join('\n  ')}\n→ ${file}`,
);
