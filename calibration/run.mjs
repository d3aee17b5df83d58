#!/usr/bin/env node
// npm run calibrate [-- --only <substring>] [--parallel <n>] [--out <dir>] [--rt <prio>] [--cpus <list>] [--run <n>]
// Runs the experiments of experiments.mjs on this machine's kernel and writes
// calibration/data/<experiment>.json. Needs root and iproute2 (ip, ss).
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EXPERIMENTS } from './experiments.mjs';
import { cpuAffinity, cpuSuffix, validCpuList } from './lib/cpus.mjs';
import { runExperiment } from './lib/experiment.mjs';
import { cleanupAll, namespaceSupport } from './lib/netns.mjs';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    parallel: { type: 'string', default: '2' },
    out: { type: 'string', default: fileURLToPath(new URL('./data', import.meta.url)) },
    rt: { type: 'string' },
    cpus: { type: 'string' },
    run: { type: 'string' },
  },
});

// --cpus: V8 does GC and compilation work on helper threads that the main thread can wait for
// spinning; under SCHED_FIFO on one CPU nothing preempts the spinner for its same-priority
// helpers. The harness hung so (session 17, load average 16: its main thread at 100 % of CPU 0
// for 15 min, the helper threads runnable and never run; killed, nothing recorded), so with
// --cpus it runs itself again under --single-threaded (V8's work on the main thread), and its
// node client too (lib/experiment.mjs). Signals reach the copy that records.
if (values.cpus !== undefined && !process.execArgv.includes('--single-threaded')) {
  const argv = ['--single-threaded', ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)];
  const copy = spawn(process.execPath, argv, { stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => copy.kill(sig));
  copy.on('exit', (code) => process.exit(code ?? 1));
  await new Promise(() => {});
}

// --rt <prio>: the harness (all its threads) under SCHED_FIFO, inherited by every process it
// starts (client, server, ss), so CPU load from elsewhere does not delay their timers; the data
// file is <name>-rt.json and its stamp says which policy ran (as nginx/run.mjs --rt).
const rt = values.rt ? Number(values.rt) : null;
if (rt !== null) {
  if (!Number.isInteger(rt) || rt < 1 || rt > 99) {
    console.error(`calibrate: --rt wants a SCHED_FIFO priority 1–99, got ${values.rt}`);
    process.exit(2);
  }
  execFileSync('chrt', ['-a', '-f', '-p', String(rt), String(process.pid)]);
}

// --cpus <list>: the harness (all its threads) allowed only those CPUs (taskset -a), inherited
// by every process it starts in the namespace, as --rt's policy is. On loopback a packet's
// receive softirq runs on the sending task's CPU (__netif_rx → enqueue_to_backlog on
// smp_processor_id()) and a request sock's timer on the CPU that armed it (reqsk_queue_hash_req:
// TIMER_PINNED), so `--cpus 0` puts one CPU's timer wheel and backlog under the whole experiment
// — but for unpinned timers (the SYN retransmissions): with kernel.timer_migration 1 an idle
// CPU 0's are expired by another CPU, whose NET_RX then grows (perCpu shows it; session 17: 3 of
// 9 backlog-8 runs, 17–25 % of their packets).
// The data file is <name>-cpu<list>[-rt].json; its stamp has the harness's allowed CPUs and
// perCpu what each CPU's softirq counters grew by (lib/cpus.mjs).
if (values.cpus !== undefined) {
  if (!validCpuList(values.cpus)) {
    console.error(`calibrate: --cpus wants a CPU list as taskset -c takes it (0, 0-1, 0,2), got ${values.cpus}`);
    process.exit(2);
  }
  execFileSync('taskset', ['-a', '-p', '-c', values.cpus, String(process.pid)], { stdio: 'ignore' });
  console.log(`calibrate: harness and children on CPUs ${cpuAffinity(process.pid)}`);
}
// --run <n>: one of several recordings of the same setting, kept side by side (-run<n>).
if (values.run !== undefined && !/^\d+$/.test(values.run)) {
  console.error(`calibrate: --run wants a run number, got ${values.run}`);
  process.exit(2);
}
const suffix =
  (values.cpus !== undefined ? cpuSuffix(values.cpus) : '') +
  (rt !== null ? '-rt' : '') +
  (values.run !== undefined ? `-run${values.run}` : '');

const support = namespaceSupport();
if (!support.ok) {
  console.error(`calibrate: cannot create network namespaces: ${support.reason}`);
  process.exit(2);
}

const selected = EXPERIMENTS.filter((e) => !values.only || e.name.includes(values.only));
const parallel = Math.max(1, Number(values.parallel));
mkdirSync(values.out, { recursive: true });

let next = 0;
let failed = 0;
async function lane(id) {
  while (next < selected.length) {
    const n = next++;
    const config = { ...selected[n], tag: String(n + 1), serverPort: 8080 + n };
    const t = Date.now();
    console.log(`[lane ${id}] ${config.name}: ${config.seconds} s …`);
    try {
      const data = await (config.run ?? runExperiment)(config);
      const file = join(values.out, `${config.name}${suffix}.json`);
      writeFileSync(file, `${JSON.stringify(data, null, 1)}\n`);
      const s = data.summary;
      console.log(
        `[lane ${id}] ${config.name} done in ${Math.round((Date.now() - t) / 1000)} s: ` +
          `${s.connects} connects (${s.achievedAttemptRate}/s attempted), ${s.failures} failures` +
          (s.plateau
            ? `, TIME_WAIT plateau ${s.plateau.timeWait} = ${s.plateau.ratioToRateTimes60s} × rate × 60 s`
            : ''),
      );
    } catch (err) {
      failed++;
      console.error(`[lane ${id}] ${config.name} failed: ${err.stack ?? err}`);
    }
  }
}

try {
  await Promise.all(Array.from({ length: Math.min(parallel, selected.length) }, (_, i) => lane(i + 1)));
} finally {
  cleanupAll();
}
process.exit(failed ? 1 : 0);
