#!/usr/bin/env node
// node calibration/lib/holdout-predict.mjs — the twins' predictions for the held-out experiments,
// from their configuration alone (no recording read): written to
// calibration/lib/holdout-predictions.json before each recording, so the comparison afterwards
// is of a prediction made blind. Needs dist/ (npm run build).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { median, SEEDS } from '../compare.mjs';
import {
  BACKLOG_EXPERIMENTS,
  DEAD_PEER_EXPERIMENTS,
  HOLDOUT_EXPERIMENTS,
  SYN_GIVEUP_EXPERIMENTS,
} from '../experiments.mjs';
import { holdoutComparisons, twinRuns } from './holdout.mjs';

/** What a data file would hold before any recording: the configuration, no figures. */
export function blankData(e, serverPort = 8080) {
  return {
    experiment: e.name,
    stamp: { kernelConfig: { CONFIG_HZ: '250' } },
    // The fields lib/experiment.mjs records from the experiment, before anything is measured.
    config: Object.fromEntries([
      ['rate', e.rate],
      ['seconds', e.seconds],
      ['closer', e.closer],
      ['bindAddress', e.bindAddress ?? null],
      ['blocking', e.blocking ?? null],
      ['maxConnects', e.maxConnects ?? Math.ceil(e.rate * e.seconds)],
      ['keepFailures', e.keepFailures ?? false],
      ['serverPort', serverPort],
      ['sysctlsSet', e.sysctls],
      ['deadPeer', e.deadPeer ?? null],
    ]),
    summary: { failures: null, connects: null, firstFailureS: null },
    perSecond: [],
    responses: [],
    failureLog: [],
    ports: { stats: { connects: 0, lowEndParityShare: 0 } },
  };
}

// Run as a script only (holdout-cpu0.mjs imports blankData).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = {};
  for (const e of [
    ...HOLDOUT_EXPERIMENTS,
    ...BACKLOG_EXPERIMENTS,
    ...SYN_GIVEUP_EXPERIMENTS,
    ...DEAD_PEER_EXPERIMENTS,
  ]) {
    const data = blankData(e);
    const runs = SEEDS.map((seed) => twinRuns(data, seed));
    out[e.name] = Object.fromEntries(
      holdoutComparisons(data).map((row) => [row.id, median(runs.map((r) => row.model(r)))]),
    );
    console.log(e.name, JSON.stringify(out[e.name]));
  }
  // Blind predictions are kept as first written: only experiments without one are added.
  const file = fileURLToPath(new URL('./holdout-predictions.json', import.meta.url));
  const kept = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  writeFileSync(file, `${JSON.stringify({ ...out, ...kept }, null, 1)}\n`);
}
