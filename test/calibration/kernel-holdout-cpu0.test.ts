// The held-out accept-queue experiments recorded on one CPU (session 17): the harness and all it
// starts pinned to CPU 0 (calibration/run.mjs --cpus 0 --rt 10 --run <n>), to test whether the
// gaps of calibration/lib/holdout-gaps.mjs come from the machine's second CPU (the model has one
// softirq context and one timer wheel), with controls on both CPUs the same hour (--cpus 0-1).
// drainsim's blind prediction (its twins as they were, calibration/lib/holdout-cpu0-predictions.json)
// was committed before each recording (in data/ first, moved to lib/ as compare.test.ts reads every
// data file as a recording). Counts ±10 %, times ±1 s; the real figure is the median of the runs
// the `compared` rule keeps (single-threaded harness, on CPU 0 alone), the model's the median of
// seeds 1–3. Mismatches are listed in ONE_CPU_GAPS with what they showed, not fitted. The rule was
// set after runs 1–7 were seen (review19, defect 2): which runs it leaves out is pinned below, and
// the README table shows the median of every run next to it.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs without type declarations
import { BACKLOG_EXPERIMENTS } from '../../calibration/experiments.mjs';
// @ts-expect-error plain .mjs without type declarations
import * as cpu0 from '../../calibration/lib/holdout-cpu0.mjs';
// @ts-expect-error plain .mjs without type declarations
import * as confirm from '../../calibration/lib/holdout-cpu0-confirm.mjs';
// @ts-expect-error plain .mjs without type declarations
import { ONE_CPU_GAPS } from '../../calibration/lib/holdout-gaps.mjs';

const {
  compared,
  compareOneCpu,
  holdsBetween,
  CONTROL_RUNS,
  oneCpuFiles,
  oneCpuPredictions,
  oneCpuTable,
  ranOnCpu0,
  readmeHoldsOneCpuTable,
  singleThreadedHarness,
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
const allControls = oneCpuFiles(names, twoCpuLabel, CONTROL_RUNS) as OneCpuData[];
const controls = allControls.filter((d) => singleThreadedHarness(d));
/** Each experiment's runs `run` (one CPU, or with `label` its controls), as data file names. */
const labels = (runs: number[], label = (n: string, run: number) => `${n}-cpu0-rt-run${run}`) =>
  names.flatMap((n) => runs.map((run) => label(n, run)));
/**
 * The runs whose SYN retransmissions were partly received on CPU 1 (17–25 % of NET_RX): the
 * retransmission timer is not pinned, and with kernel.timer_migration 1 an idle CPU 0's timers
 * are expired by CPU 1. Not compared.
 */
const MIGRATED = [
  'kernel-holdout-backlog8-60-s40ms-cpu0-rt-run4',
  'kernel-holdout-backlog8-60-s40ms-cpu0-rt-run6',
  'kernel-holdout-backlog8-60-s40ms-cpu0-rt-run9',
];
/**
 * Run 4 was recorded 38 s before 6d9ba10 committed the prediction for runs 5–7, so it has no
 * entry of its own; drainsim has no CPU count, so its prediction is the same figures for every run.
 */
const UNPREDICTED = labels([4]);
let rows: Row[] = [];

beforeAll(() => {
  rows = compareOneCpu(names) as Row[];
}, 600_000);

describe('held-out accept-queue experiments on one CPU: drainsim against Linux 6.18', () => {
  it('every experiment has at least three runs on CPU 0 alone, each with its blind prediction', () => {
    const predictions = oneCpuPredictions() as Record<string, unknown>;
    for (const name of names) {
      const runs = files.filter((d) => d.label.startsWith(`${name}-cpu0-rt-`) && compared(d));
      expect(runs.length, name).toBeGreaterThanOrEqual(3);
    }
    const unpredicted = files.filter((d) => predictions[d.label] === undefined).map((d) => d.label);
    expect(unpredicted).toEqual(UNPREDICTED);
    expect(files.filter((d) => !ranOnCpu0(d)).map((d) => d.label)).toEqual(MIGRATED);
    expect(controls.map((d) => d.label)).toEqual(labels([5, 6, 7], twoCpuLabel));
  });

  it('the harness rule leaves out exactly runs 1–3 and their controls (recorded before --single-threaded, 93fc81e)', () => {
    expect(files.filter((d) => !singleThreadedHarness(d)).map((d) => d.label)).toEqual(labels([1, 2, 3]));
    const before = allControls.filter((d) => !singleThreadedHarness(d)).map((d) => d.label);
    expect(before).toEqual(labels([1, 2, 3], twoCpuLabel));
  });

  it('every one-CPU run had its processes on CPU 0 under SCHED_FIFO; the compared ones single-threaded', () => {
    for (const d of files) {
      expect(d.stamp.cpuAffinity, d.label).toBe('0');
      expect(d.stamp.scheduling, d.label).toMatch(/SCHED_FIFO/);
      expect(d.perCpu.affinity, d.label).toEqual({ harness: '0', server: '0', client: '0' });
      if (compared(d)) expect(d.stamp.nodeFlags, d.label).toContain('--single-threaded');
    }
  });

  // Loopback's receive path raises NET_RX on the transmitting CPU (__netif_rx →
  // enqueue_to_backlog(smp_processor_id())): a SYN, SYN-ACK or data resend fired by a timer on CPU 1
  // shows there. Worked out here from the counters, over every one-CPU file (not the ones ranOnCpu0
  // kept), so a new run that leaks, or a listed one that does not, fails it.
  it('CPU 1 share of NET_RX over every one-CPU run: the pinned ones above 10 %, all others at most 1 %', () => {
    const share = (d: OneCpuData) => {
      const [rx0, rx1] = d.perCpu.softirqs.NET_RX;
      return rx1 / (rx0 + rx1);
    };
    expect(files.length).toBe(names.length * 7 + 2); // runs 1–7 each, backlog 8 also 8 and 9
    for (const d of files) {
      expect(d.perCpu.softirqs.NET_RX[0], d.label).toBeGreaterThan(1000);
      if (MIGRATED.includes(d.label)) expect(share(d), d.label).toBeGreaterThan(0.1);
      else expect(share(d), d.label).toBeLessThanOrEqual(0.01);
      // ranOnCpu0 draws its line between the two groups: it agrees with the shares.
      expect(ranOnCpu0(d), d.label).toBe(!MIGRATED.includes(d.label));
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
    // 3 experiments × 6 figures, 5 of them gaps.
    const within = rows.filter((r) => !GAPS[`${r.experiment}/${r.id}`]);
    expect(within.length).toBe(13);
    for (const r of within)
      expect(r.ok, `${r.experiment}/${r.id}: real ${r.real}, drainsim ${r.model} (${r.error})`).toBe(true);
  });

  it('calibration/README.md holds the generated one-CPU table (node calibration/lib/holdout-cpu0.mjs --readme)', () => {
    const readme = readFileSync(new URL('../../calibration/README.md', import.meta.url), 'utf8');
    expect(readmeHoldsOneCpuTable(readme, oneCpuTable(rows, GAPS, oneCpuPredictions()))).toBe(true);
  });
});

// The confirmation series (runs 10–12 and their controls), judged by the rules and prediction of
// calibration/lib/holdout-cpu0-confirm.json, committed before any of them was recorded.
describe('one-CPU confirmation series: rules and prediction committed before recording', () => {
  it('the prediction is still drainsim’s twin (a model change must be seen, not folded in)', () => {
    const pre = confirm.preregistered() as { prediction: Record<string, unknown>; runs: number[] };
    expect(pre.runs).toEqual([10, 11, 12]);
    for (const e of BACKLOG_EXPERIMENTS as { name: string }[])
      expect(confirm.twinFigures(e), e.name).toEqual(pre.prediction[e.name]);
  });

  it('the rules left out one run of each experiment: those above 1 % of NET_RX on CPU 1, every other at 0', () => {
    const result = confirm.confirmation() as { experiments: Record<string, { recorded: number; left: unknown[] }> };
    const left = Object.values(result.experiments).flatMap((e) => e.left);
    expect(Object.values(result.experiments).map((e) => e.recorded)).toEqual([3, 3, 3]);
    expect(left).toEqual([
      { label: 'kernel-holdout-backlog16-100-s50ms-cpu0-rt-run12', harness: true, cpu0: false },
      { label: 'kernel-holdout-backlog128-somaxconn32-100-s20ms-cpu0-rt-run12', harness: true, cpu0: false },
      { label: 'kernel-holdout-backlog8-60-s40ms-cpu0-rt-run11', harness: true, cpu0: false },
    ]);
  });

  it('the finding is not confirmed: at backlog 16 one CPU matches drainsim, but two CPUs give as many (801 against 754.5)', () => {
    const result = confirm.confirmation() as {
      finding: Record<string, boolean>;
      experiments: Record<string, { rows: { id: string; real: number; control: number; ok: boolean }[] }>;
    };
    expect(result.finding).toEqual({
      conclusive: true,
      oneCpuMatches: true,
      twoCpusFewer: false,
      twoCpusOutsideTolerance: false,
      holds: false,
    });
    const connects = result.experiments[confirm.FINDING_EXPERIMENT].rows.find((r) => r.id === 'connects')!;
    expect([connects.real, connects.control]).toEqual([754.5, 801]);
    // Which of the 18 rows the prediction missed: the late answers and the backlog-32 answers, as in runs 1–9.
    const missed = Object.entries(result.experiments).flatMap(([name, e]) =>
      e.rows.filter((r) => !r.ok).map((r) => `${name}/${r.id}`),
    );
    expect(missed).toEqual([
      'kernel-holdout-backlog16-100-s50ms/latency-p95',
      'kernel-holdout-backlog16-100-s50ms/latency-p99',
      'kernel-holdout-backlog128-somaxconn32-100-s20ms/answered',
      'kernel-holdout-backlog128-somaxconn32-100-s20ms/latency-p99',
      'kernel-holdout-backlog8-60-s40ms/latency-p99',
    ]);
  });

  it('calibration/README.md holds the generated confirmation table (node calibration/lib/holdout-cpu0-confirm.mjs --readme)', () => {
    const readme = readFileSync(new URL('../../calibration/README.md', import.meta.url), 'utf8');
    const table = confirm.confirmationTable(confirm.confirmation());
    expect(holdsBetween(readme, table, confirm.CONFIRM_README_START, confirm.CONFIRM_README_END)).toBe(true);
  });
});
