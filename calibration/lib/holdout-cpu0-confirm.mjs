#!/usr/bin/env node
// The one-CPU confirmation series (session 17, helper kern17b, after review19 defect 2): the rules
// of holdout-cpu0.mjs (`compared`) were set after runs 1–7 were seen, and they reversed the first
// finding. This series is judged by rules and a prediction committed BEFORE it is recorded
// (holdout-cpu0-confirm.json, written once by --predict), on its own runs only (10–12), not
// pooled with the earlier ones. Recorded one at a time, one-CPU run N then its control N:
//   flock /work/wt/calib.lock node calibration/run.mjs --only kernel-holdout-backlog --parallel 1 --rt 10 --cpus 0 --run N
//   flock /work/wt/calib.lock node calibration/run.mjs --only kernel-holdout-backlog --parallel 1 --rt 10 --cpus 0-1 --run N
//   node calibration/lib/holdout-cpu0-confirm.mjs --predict   # once, before run 10 is recorded
//   node calibration/lib/holdout-cpu0-confirm.mjs             # the verdict
// Compared in test/calibration/kernel-holdout-cpu0.test.ts.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { judge, median, SEEDS } from '../compare.mjs';
import { BACKLOG_EXPERIMENTS } from '../experiments.mjs';
import { holdoutComparisons, twinRuns } from './holdout.mjs';
import { compared, oneCpuFiles, oneCpuLabel, ranOnCpu0, singleThreadedHarness, twoCpuLabel } from './holdout-cpu0.mjs';
import { blankData } from './holdout-predict.mjs';

/** The confirmation runs, one-CPU and control alike (run.mjs --run <n>). */
export const CONFIRM_RUNS = [10, 11, 12];
/** The experiment the finding is about, and the figure. */
export const FINDING_EXPERIMENT = 'kernel-holdout-backlog16-100-s50ms';

const PREREGISTERED = fileURLToPath(new URL('./holdout-cpu0-confirm.json', import.meta.url));

/** The rules and the prediction, as committed before the series (holdout-cpu0-confirm.json). */
export function preregistered() {
  return JSON.parse(readFileSync(PREREGISTERED, 'utf8'));
}

/** The twin's figures for one experiment, median of seeds 1–3 (drainsim has no CPU count). */
export function twinFigures(e) {
  const data = blankData(e);
  const runs = SEEDS.map((seed) => twinRuns(data, seed));
  return Object.fromEntries(holdoutComparisons(data).map((row) => [row.id, median(runs.map((r) => row.model(r)))]));
}

const figures = (data) => Object.fromEntries(holdoutComparisons(data).map((row) => [row.id, row.real]));
const KIND = { connects: 'count', answered: 'count' };

/**
 * The series judged by the pre-committed rules: per experiment, which runs the rule keeps (and
 * why each other was left out), the medians of the kept runs and of the controls, each figure
 * against the prediction; and the finding's three checks at backlog 16.
 */
export function confirmation(pre = preregistered()) {
  const out = { experiments: {}, finding: null };
  for (const e of BACKLOG_EXPERIMENTS) {
    const all = oneCpuFiles([e.name], oneCpuLabel, CONFIRM_RUNS);
    const left = all
      .filter((d) => !compared(d))
      .map((d) => ({ label: d.label, harness: singleThreadedHarness(d), cpu0: ranOnCpu0(d) }));
    const kept = all.filter(compared).map(figures);
    const controls = oneCpuFiles([e.name], twoCpuLabel, CONFIRM_RUNS).filter(singleThreadedHarness).map(figures);
    const predicted = pre.prediction[e.name];
    const rows = Object.keys(predicted).map((id) => {
      const real = kept.length ? median(kept.map((f) => f[id])) : null;
      const control = controls.length ? median(controls.map((f) => f[id])) : null;
      return {
        id,
        runs: kept.map((f) => f[id]),
        controls: controls.map((f) => f[id]),
        real,
        control,
        predicted: predicted[id],
        ...judge(KIND[id] ?? 'time', real, predicted[id]),
      };
    });
    out.experiments[e.name] = { recorded: all.length, kept: kept.length, left, controls: controls.length, rows };
  }
  const f = out.experiments[FINDING_EXPERIMENT];
  const c = f.rows.find((r) => r.id === 'connects');
  const controlJudged = judge('count', c.control, c.predicted);
  out.finding = {
    // Pre-committed: at least 2 of the 3 one-CPU runs kept by the rule, and 2 of 3 controls.
    conclusive: f.kept >= 2 && f.controls >= 2,
    oneCpuMatches: c.ok,
    twoCpusFewer: c.control !== null && c.real !== null && c.control < c.real,
    twoCpusOutsideTolerance: c.control !== null && c.control < c.predicted && !controlJudged.ok,
  };
  out.finding.holds =
    out.finding.conclusive &&
    out.finding.oneCpuMatches &&
    out.finding.twoCpusFewer &&
    out.finding.twoCpusOutsideTolerance;
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--predict')) {
  if (existsSync(PREREGISTERED)) throw new Error(`${PREREGISTERED} exists: the rules are written once`);
  const prediction = Object.fromEntries(BACKLOG_EXPERIMENTS.map((e) => [e.name, twinFigures(e)]));
  const pre = {
    written: 'before one-CPU run 10 or control 10 was recorded (kern17b)',
    runs: CONFIRM_RUNS,
    record: [
      'one at a time under flock /work/wt/calib.lock, one-CPU run N then control N, N = 10, 11, 12',
      'one CPU: node calibration/run.mjs --only kernel-holdout-backlog --parallel 1 --rt 10 --cpus 0 --run N',
      'control: node calibration/run.mjs --only kernel-holdout-backlog --parallel 1 --rt 10 --cpus 0-1 --run N',
      'no run is replaced or re-recorded; a run that fails the rule is reported, not redone',
    ],
    rule: [
      'a one-CPU run is compared iff its stamp.nodeFlags has --single-threaded and CPU 0 took at least 99 % of its NET_RX softirqs (holdout-cpu0.mjs compared, as of this commit)',
      'a control is compared iff its stamp.nodeFlags has --single-threaded',
      'figures: the median of the compared runs 10–12 only, not pooled with runs 1–9; drainsim: its twin, median of seeds 1–3 (below); counts ±10 %, times ±1 s',
    ],
    finding: [
      'the finding (backlog 16: one CPU ≈ drainsim’s connects; two CPUs fewer) holds iff all of:',
      'conclusive: at least 2 of the 3 one-CPU runs and 2 of the 3 controls are compared',
      'oneCpuMatches: the one-CPU median connects within ±10 % of drainsim’s',
      'twoCpusFewer: the controls’ median connects below the one-CPU median',
      'twoCpusOutsideTolerance: the controls’ median connects below drainsim’s by more than 10 %',
      'otherwise it is reported as not confirmed; the other 17 rows are reported against the same prediction',
    ],
    prediction,
  };
  writeFileSync(PREREGISTERED, `${JSON.stringify(pre, null, 1)}\n`);
  console.log(JSON.stringify(prediction));
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(confirmation(), null, 1));
}
