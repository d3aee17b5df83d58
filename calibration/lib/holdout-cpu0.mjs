#!/usr/bin/env node
// The accept-queue experiments recorded on one CPU (session 17, helper kern17): the same three
// held-out backlog experiments, the harness and everything it starts pinned to CPU 0 (run.mjs
// --cpus 0, under SCHED_FIFO --rt 10), three runs each. The question: the model runs one softirq
// context and one timer wheel, the machine has two CPUs; do the gaps of holdout-gaps.mjs
// (ACK_BATCHES, WHEEL_TAIL) close when the real system has one CPU too? Each one-CPU run has a
// control recorded the same hour on both CPUs (--cpus 0-1: the harness's default, stated), so the
// CPU count is the only difference from it.
//   node calibration/lib/holdout-cpu0.mjs --predict   # the twins' figures, written before recording
//   node calibration/lib/holdout-cpu0.mjs --readme    # the comparison table into calibration/README.md
// Needs dist/ (npm run build). Compared in test/calibration/kernel-holdout-cpu0.test.ts.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { judge, median, round, SEEDS } from '../compare.mjs';
import { BACKLOG_EXPERIMENTS } from '../experiments.mjs';
import { holdoutComparisons, holdoutFiles, tableCells, twinRuns } from './holdout.mjs';
import { blankData } from './holdout-predict.mjs';

/**
 * Every one-CPU run recorded (run.mjs --run <n>), and every two-CPU control. Which of them are
 * compared is decided by `compared` below from each file's own stamp and counters, not by run
 * number. Session 17 first compared runs 5–9 only, a choice made after runs 4–7 were recorded
 * and that reversed the finding (review19, defect 2); what every run gives is in the README.
 */
export const ONE_CPU_RUNS = [1, 2, 3, 4, 5, 6, 7, 8, 9];
export const CONTROL_RUNS = [1, 2, 3, 5, 6, 7];

/**
 * Whether the harness ran single-threaded (stamp.nodeFlags has --single-threaded, run.mjs --cpus
 * since 93fc81e). Runs 1–3 and their controls did not: with V8's helper threads, the harness and
 * the node client competed under SCHED_FIFO for CPU 0 (once the harness spun for 15 min with its
 * helpers runnable and never run), and all three one-CPU runs stalled the one-worker server at the
 * same moment (backlog 16: 1–3 s at 7.9–8.9 s, 225–232 answers), which no later run did.
 */
export function singleThreadedHarness(data) {
  return (data.stamp.nodeFlags ?? []).includes('--single-threaded');
}

/**
 * Whether a recording ran on CPU 0 alone: its NET_RX softirqs on the other CPUs at most 1 % of
 * all. The SYN retransmission timer is not pinned: when CPU 0 idles the timer-migration hierarchy
 * (kernel.timer_migration 1) lets CPU 1 expire it, and the SYN it sends is received on CPU 1.
 * Runs 1–9 fell in two groups, at most 0.7 % and at least 17 % (test/calibration/kernel-holdout-
 * cpu0.test.ts pins both); backlog-8 confirmation run 11 fell between, at 2.0 %. The counters
 * are the machine's (/proc/softirqs), so traffic from outside the namespace counts too.
 */
export function ranOnCpu0(data) {
  const rx = data.perCpu.softirqs.NET_RX;
  const all = rx.reduce((a, b) => a + b, 0);
  return rx[0] >= 0.99 * all;
}

/** The rule for a one-CPU run to be compared: single-threaded harness and on CPU 0 alone. */
export function compared(data) {
  return singleThreadedHarness(data) && ranOnCpu0(data);
}

/** A one-CPU recording's data file name (no .json): `<experiment>-cpu0-rt-run<n>`. */
export function oneCpuLabel(name, run) {
  return `${name}-cpu0-rt-run${run}`;
}

/** Its two-CPU control's: `<experiment>-cpu0-1-rt-run<n>`. */
export function twoCpuLabel(name, run) {
  return `${name}-cpu0-1-rt-run${run}`;
}

const dataFile = (label) => fileURLToPath(new URL(`../data/${label}.json`, import.meta.url));
const PREDICTIONS = fileURLToPath(new URL('./holdout-cpu0-predictions.json', import.meta.url));

/** The one-CPU recordings (or, with twoCpuLabel, their controls) that exist, labelled with their file names. */
export function oneCpuFiles(names = BACKLOG_EXPERIMENTS.map((e) => e.name), label = oneCpuLabel, runs = ONE_CPU_RUNS) {
  return names
    .flatMap((n) => runs.map((run) => label(n, run)))
    .filter((label) => existsSync(dataFile(label)))
    .map((label) => ({ ...JSON.parse(readFileSync(dataFile(label), 'utf8')), label }));
}

/** The blind predictions, per data file name (written by --predict before any recording). */
export function oneCpuPredictions() {
  return JSON.parse(readFileSync(PREDICTIONS, 'utf8'));
}

/** The figure each row of holdoutComparisons gives for one recording, by row id. */
function realFigures(data) {
  return Object.fromEntries(holdoutComparisons(data).map((row) => [row.id, row.real]));
}

/**
 * Each experiment's one-CPU figures against its twin: `real` the median of its compared runs
 * (`compared`: single-threaded harness, on CPU 0 alone; each figure on its own), `every` the
 * median of all its one-CPU runs with its judgement, `model` the median of seeds 1–3, judged with compare.mjs's tolerances (counts
 * ±10 %, times ±1 s). Each row also carries the runs' figures (`runs`), their two-CPU controls'
 * (`controls`, single-threaded harness) and the earlier two-CPU SCHED_FIFO recordings' (`earlier`: holdout.mjs's `-rt-run0`
 * and `-rt` files) for the README table.
 */
export function compareOneCpu(names = BACKLOG_EXPERIMENTS.map((e) => e.name), seeds = SEEDS) {
  const out = [];
  for (const name of names) {
    const every = oneCpuFiles([name]);
    const runs = every.filter(compared);
    if (runs.length === 0) continue;
    const twins = seeds.map((seed) => twinRuns(runs[0], seed));
    const runFigures = runs.map(realFigures);
    const everyFigures = every.map(realFigures);
    const controls = oneCpuFiles([name], twoCpuLabel, CONTROL_RUNS).filter(singleThreadedHarness).map(realFigures);
    const earlier = holdoutFiles([name])
      .filter((d) => d.label !== name)
      .map(realFigures);
    for (const row of holdoutComparisons(runs[0])) {
      const real = median(runFigures.map((f) => f[row.id]));
      const model = median(twins.map((t) => row.model(t)));
      const everyReal = median(everyFigures.map((f) => f[row.id]));
      out.push({
        experiment: `${name}-cpu0-rt`,
        id: row.id,
        figure: row.figure,
        kind: row.kind,
        runs: runFigures.map((f) => f[row.id]),
        controls: controls.map((f) => f[row.id]),
        earlier: earlier.map((f) => f[row.id]),
        real,
        model,
        ...judge(row.kind, real, model),
        // Every one-CPU run, whatever its harness or CPU: what the comparison gives without the rules.
        every: { real: everyReal, ...judge(row.kind, everyReal, model) },
      });
    }
  }
  return out;
}

export const ONE_CPU_README_START =
  '<!-- one-cpu-table: generated by `node calibration/lib/holdout-cpu0.mjs --readme`; do not edit -->';
export const ONE_CPU_README_END = '<!-- one-cpu-table end -->';

/** compareOneCpu's rows as Markdown (calibration/README.md, between the markers above). */
export function oneCpuTable(rows, gaps = {}, predictions = {}) {
  const lines = [
    '| experiment | figure | 2 CPUs, earlier (-rt-run0, -rt) | 2 CPUs, controls 5–7 | 1 CPU, compared runs | 1 CPU median | predicted | drainsim now | error | every 1-CPU run (1–9): median, error |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const show = (x) => (x === null || x === undefined ? 'none' : `${round(x)}`);
  const list = (xs) => xs.map(show).join(', ');
  for (const r of rows) {
    const gap = gaps[`${r.experiment}/${r.id}`] ? ' (gap‡)' : '';
    const predicted = predictions[`${r.experiment}-run5`]?.[r.id];
    const name = r.experiment.replace('kernel-holdout-', '');
    lines.push(
      `| ${name} | ${r.figure}${gap} | ${list(r.earlier)} | ${list(r.controls)} | ${list(r.runs)} | ${show(r.real)} | ${show(predicted)} | ${show(r.model)} | ${r.error}${r.ok ? '' : ' ✗'} | ${show(r.every.real)}, ${r.every.error}${r.every.ok ? '' : ' ✗'} |`,
    );
  }
  return lines.join('\n');
}

/** Whether `readme` holds `table` between the markers `start` and `end` (biome pads the columns). */
export function holdsBetween(readme, table, start, end) {
  const a = readme.indexOf(start);
  const b = readme.indexOf(end);
  if (a < 0 || b < a) return false;
  const held = tableCells(readme.slice(a + start.length, b));
  return JSON.stringify(held) === JSON.stringify(tableCells(table));
}

/** Whether `readme` holds `table` between the one-CPU markers. */
export function readmeHoldsOneCpuTable(readme, table) {
  return holdsBetween(readme, table, ONE_CPU_README_START, ONE_CPU_README_END);
}

/** Writes `table` into calibration/README.md between the markers `start` and `end`. */
export function writeBetween(table, start, end) {
  const readmePath = fileURLToPath(new URL('../README.md', import.meta.url));
  const readme = readFileSync(readmePath, 'utf8');
  const a = readme.indexOf(start);
  const b = readme.indexOf(end);
  if (a < 0 || b < a) throw new Error(`calibration/README.md has no ${start} markers`);
  writeFileSync(readmePath, `${readme.slice(0, a + start.length)}\n${table}\n${readme.slice(b)}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--readme')) {
  const { ONE_CPU_GAPS } = await import('./holdout-gaps.mjs');
  const table = oneCpuTable(compareOneCpu(), ONE_CPU_GAPS, oneCpuPredictions());
  writeBetween(table, ONE_CPU_README_START, ONE_CPU_README_END);
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--predict')) {
  // drainsim has no CPU count: its prediction for a one-CPU recording is its twin's figures as
  // they are, median of seeds 1–3 (holdout-predict.mjs's way), one entry per planned data file.
  if (existsSync(PREDICTIONS)) throw new Error(`${PREDICTIONS} exists: blind predictions are written once`);
  const out = {};
  for (const e of BACKLOG_EXPERIMENTS) {
    const data = blankData(e);
    const runs = SEEDS.map((seed) => twinRuns(data, seed));
    const figures = Object.fromEntries(
      holdoutComparisons(data).map((row) => [row.id, median(runs.map((r) => row.model(r)))]),
    );
    for (const run of ONE_CPU_RUNS) out[oneCpuLabel(e.name, run)] = figures;
    console.log(e.name, JSON.stringify(figures));
  }
  writeFileSync(PREDICTIONS, `${JSON.stringify(out, null, 1)}\n`);
}
