// Which CPUs an experiment ran on (run.mjs --cpus): the affinity of the harness and of the
// processes it starts, and the per-CPU network softirq counters over the run. /proc/softirqs and
// /proc/net/softnet_stat are machine-wide, not per namespace; on this machine nothing else uses
// the network (NET_RX grew by 0 on both CPUs over 5 idle seconds), so their growth during a run
// is the run's own packet processing, per CPU.
import { readFileSync } from 'node:fs';

/** A process's allowed CPUs as the kernel prints them (`0`, `0-1`), null once it is gone. */
export function cpuAffinity(pid) {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8').match(/^Cpus_allowed_list:\s*(.*)$/m)?.[1] ?? null;
  } catch {
    return null;
  }
}

/** `--cpus` as taskset -c takes it: CPU numbers and ranges, comma-separated (`0`, `0,1`, `0-1`). */
export function validCpuList(text) {
  return /^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(text);
}

/** The data file's name part for a CPU list: `-cpu0`, `-cpu0_1`, `-cpu0-1`. */
export function cpuSuffix(text) {
  return `-cpu${text.replaceAll(',', '_')}`;
}

/**
 * Per-CPU counters now: softirq runs of NET_RX (loopback's receive path: __netif_rx queues the
 * packet on the current CPU's backlog and raises NET_RX there), TIMER (timer_list expiry, the
 * SYN retransmission and request-sock timers among them) and NET_TX, and the packets each CPU's
 * backlog processed (softnet_stat's first column).
 */
export function cpuCounters() {
  const softirqs = {};
  for (const line of readFileSync('/proc/softirqs', 'utf8').split('\n')) {
    const [key, ...counts] = line.trim().split(/\s+/);
    const name = key?.replace(/:$/, '');
    if (['NET_RX', 'NET_TX', 'TIMER'].includes(name)) softirqs[name] = counts.map(Number);
  }
  const processed = readFileSync('/proc/net/softnet_stat', 'utf8')
    .trim()
    .split('\n')
    .map((line) => Number.parseInt(line.split(' ')[0], 16));
  return { softirqs, processed };
}

/** Growth of every counter of cpuCounters() from `before` to `after`, per CPU. */
export function counterGrowth(before, after) {
  const diff = (a, b) => b.map((x, i) => x - a[i]);
  return {
    softirqs: Object.fromEntries(Object.entries(after.softirqs).map(([k, v]) => [k, diff(before.softirqs[k], v)])),
    processed: diff(before.processed, after.processed),
  };
}
