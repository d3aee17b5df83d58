// The held-out accept-queue experiments recorded on one CPU (session 17): the harness and all it
// starts pinned to CPU 0 (calibration/run.mjs --cpus 0 --rt 10 --run <n>), to test whether the
// gaps of calibration/lib/holdout-gaps.mjs come from the machine's second CPU (the model has one
// softirq context and one timer wheel), with controls on both CPUs the same hour (--cpus 0-1).
// drainsim's blind prediction (its twins as they were, calibration/lib/holdout-cpu0-predictions.json)
// was committed before each recording (in data/ first, moved to lib/ as compare.test.ts reads every
// data file as a recording). Counts ±10 %, times ±1 s; the real figure is the median of the runs
// that ran on CPU 0 alone, the model's the median of seeds 1–3. Mismatches are listed in
// ONE_CPU_GAPS with what they showed, not fitted.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs without type declarations
import { BACKLOG_EXPERIMENTS } from '../../calibration/experiments.mjs';
// @ts-expect-error plain .mjs without type declarations
import * as cpu0 from '../../calibration/lib/holdout-cpu0.mjs';
// @ts-expect-error plain .mjs without type declarations
import { ONE_CPU_GAPS } from '../../calibration/lib/holdout-gaps.mjs';

const {
  compareOneCpu,
  CONTROL_RUNS,
  oneCpuFiles,
  oneCpuPredictions,
  oneCpuTable,
  ranOnCpu0,
  readmeHoldsOneCpuTable,
  twoCpuLabel,
} = cpu0;

interface Row extends Record<'experiment' | 'id' | 'figure' | 'error', string> {
  real: number | null;
  model: number | null;
  ok: boolean;
}
interface PerCpu {
  affinity: Record<'harness' | 'server' | 'client', string>;
  softirqs: Record<'NET_RX' | 'TIMER' | 'NET_TX', number[]>;
  processed: number[];
}
interface OneCpuData {
  label: string;
  stamp: { cpuAffinity: string; scheduling: string; nodeFlags: string[] };
  perCpu: PerCpu;
}

const GAPS = ONE_CPU_GAPS as Record<string, string>;
const names = (BACKLOG_EXPERIMENTS as { name: string }[]).map((e) => e.name);
const files = oneCpuFiles(names) as OneCpuData[];
const controls = oneCpuFiles(names, twoCpuLabel, CONTROL_RUNS) as OneCpuData[];
/**
 * The runs whose SYN retransmissions were partly received on CPU 1 (17–25 % of NET_RX): the
 * retransmission timer is not pinned, and with kernel.timer_migration 1 an idle CPU 0's timers
 * are expired by CPU 1. Not compared.
 */
const MIGRATED = ['kernel-holdout-backlog8-60-s40ms-cpu0-rt-run6', 'kernel-holdout-backlog8-60-s40ms-cpu0-rt-run9'];
let rows: Row[] = [];

beforeAll(() => {
  rows = compareOneCpu(names) as Row[];
}, 600_000);

describe('held-out accept-queue experiments on one CPU: drainsim against Linux 6.18', () => {
  it('every experiment has at least three runs on CPU 0 alone, each with its blind prediction', () => {
    const predictions = oneCpuPredictions() as Record<string, unknown>;
    for (const name of names) {
      const runs = files.filter((d) => d.label.startsWith(`${name}-cpu0-rt-`) && ranOnCpu0(d));
      expect(runs.length, name).toBeGreaterThanOrEqual(3);
    }
    for (const d of files) expect(predictions[d.label], d.label).toBeDefined();
    expect(files.filter((d) => !ranOnCpu0(d)).map((d) => d.label)).toEqual(MIGRATED);
    const planned = names.flatMap((n) => (CONTROL_RUNS as number[]).map((run) => twoCpuLabel(n, run) as string));
    expect(controls.map((d) => d.label)).toEqual(planned);
  });

  it('each compared run ran on CPU 0 alone under SCHED_FIFO, single-threaded: its processes, packets and softirqs', () => {
    for (const d of files.filter((x) => ranOnCpu0(x))) {
      expect(d.stamp.cpuAffinity, d.label).toBe('0');
      expect(d.stamp.scheduling, d.label).toMatch(/SCHED_FIFO/);
      expect(d.stamp.nodeFlags, d.label).toContain('--single-threaded');
      expect(d.perCpu.affinity, d.label).toEqual({ harness: '0', server: '0', client: '0' });
      // Loopback's receive path raises NET_RX on the transmitting CPU (__netif_rx →
      // enqueue_to_backlog(smp_processor_id())): a SYN, SYN-ACK or data resend fired by a timer
      // on CPU 1 shows there. Recorded: 2,735–6,137 on CPU 0, at most 23 on CPU 1.
      const [rx0, rx1] = d.perCpu.softirqs.NET_RX;
      expect(rx0, d.label).toBeGreaterThan(1000);
      expect(rx1 / (rx0 + rx1), d.label).toBeLessThanOrEqual(0.01);
    }
  });

  it('each control ran on both CPUs: each took at least a tenth of its packets', () => {
    for (const d of controls) {
      expect(d.stamp.cpuAffinity, d.label).toBe('0-1');
      expect(d.stamp.nodeFlags, d.label).toContain('--single-threaded');
      expect(d.stamp.scheduling, d.label).toMatch(/SCHED_FIFO/);
      const rx = d.perCpu.softirqs.NET_RX;
      for (const n of rx) expect(n / (rx[0] + rx[1]), d.label).toBeGreaterThan(0.1);
    }
  });

  it('the known gaps are still gaps (a fix must move them into the compared rows)', () => {
    for (const key of Object.keys(GAPS)) {
      const r = rows.find((x) => `${x.experiment}/${x.id}` === key);
      expect(r, key).toBeDefined();
      expect(r!.ok, `${key}: real ${r!.real}, drainsim ${r!.model} now within tolerance`).toBe(false);
    }
  });

  it('every figure not listed as a gap is within tolerance', () => {
    const compared = rows.filter((r) => !GAPS[`${r.experiment}/${r.id}`]);
    // 3 experiments × 6 figures, 4 of them gaps.
    expect(compared.length).toBe(14);
    for (const r of compared)
      expect(r.ok, `${r.experiment}/${r.id}: real ${r.real}, drainsim ${r.model} (${r.error})`).toBe(true);
  });

  it('calibration/README.md holds the generated one-CPU table (node calibration/lib/holdout-cpu0.mjs --readme)', () => {
    const readme = readFileSync(new URL('../../calibration/README.md', import.meta.url), 'utf8');
    expect(readmeHoldsOneCpuTable(readme, oneCpuTable(rows, GAPS, oneCpuPredictions()))).toBe(true);
  });
});
