#!/usr/bin/env node
// The accept-queue experiments recorded on one CPU (session 17, helper kern17): the same three
// held-out backlog experiments, the harness and everything it starts pinned to CPU 0 (run.mjs
// --cpus 0, under SCHED_FIFO --rt 10), three runs each. The question: the model runs one softirq
// context and one timer wheel, the machine has two CPUs; do the gaps of holdout-gaps.mjs
// (ACK_BATCHES, WHEEL_TAIL) close when the real system has one CPU too?
//   node calibration/lib/holdout-cpu0.mjs --predict   # the twins' figures, written before recording
// Needs dist/ (npm run build).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { median, SEEDS } from '../compare.mjs';
import { BACKLOG_EXPERIMENTS } from '../experiments.mjs';
import { holdoutComparisons, twinRuns } from './holdout.mjs';
import { blankData } from './holdout-predict.mjs';

/** The recordings' runs (run.mjs --run <n>). */
export const ONE_CPU_RUNS = [1, 2, 3];

/** A one-CPU recording's data file name (no .json): `<experiment>-cpu0-rt-run<n>`. */
export function oneCpuLabel(name, run) {
  return `${name}-cpu0-rt-run${run}`;
}

const dataFile = (label) => fileURLToPath(new URL(`../data/${label}.json`, import.meta.url));
const PREDICTIONS = fileURLToPath(new URL('../data/kernel-holdout-cpu0-predictions.json', import.meta.url));

/** The one-CPU recordings that exist, each labelled with its file name. */
export function oneCpuFiles(names = BACKLOG_EXPERIMENTS.map((e) => e.name)) {
  return names
    .flatMap((n) => ONE_CPU_RUNS.map((run) => oneCpuLabel(n, run)))
    .filter((label) => existsSync(dataFile(label)))
    .map((label) => ({ ...JSON.parse(readFileSync(dataFile(label), 'utf8')), label }));
}

/** The blind predictions, per data file name (written by --predict before any recording). */
export function oneCpuPredictions() {
  return JSON.parse(readFileSync(PREDICTIONS, 'utf8'));
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
