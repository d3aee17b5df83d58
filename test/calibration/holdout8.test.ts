/**
 * Held-out validation, round 8 (session 20, hold8; calibration/README.md "Held-out validation,
 * round 8"): seven runs no recording had — HAProxy 2.6.12 with per-server `maxconn 4` and
 * `timeout queue 2s` in front of 200-ms servers offered 1.5 × their capacity, `slowstart 6s` over
 * three roundrobin servers after a kill and restart, and per-server `maxconn 4` with a hung
 * (SIGSTOPped) server; nginx 1.22.1 `-s quit` with an open tunnel under worker_shutdown_timeout 3s;
 * Linux with the server closing first on 300 ports at 250 connects/s, and the client closing first
 * on 800 ports at 200/s (tcp_tw_reuse 0: the range runs out). The twins and the predictions
 * (calibration/data/holdout8-predictions.json, written by DRAINSIM_WRITE_HOLDOUT8=1 below) were
 * committed BEFORE anything was recorded; each run was then recorded once. Nothing is refitted:
 * the table compares the blind prediction with the recording (counts ±10 % (±2 near zero), times
 * ±1 s, shares ±0.1); a row outside it stays as a KNOWN GAP with both values and its cause (GAPS8).
 * The HAProxy predictions are tables over HAProxy's start before t0 (`lb.uptime`, the phase of
 * its checks), read at the start each recording states (haproxy-restated.ts statedUptime()).
 * Recorded (load average 8.6-9.4): 32 of 32 rows within tolerance, no known gap; the second batch
 * (the nginx upstream keepalive race at node keepAliveTimeout 5 s, predicted after the first batch
 * was recorded, before it was): 3 of 3. 35 of 35.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs without type declarations
import { HOLDOUT8_KERNEL_EXPERIMENTS } from '../../calibration/experiments.mjs';
import {
  type FlatPredictions,
  flatRows,
  type Gap,
  gapsAreRowsTest,
  type HeldOutRow,
  haproxyRows,
  type KernelExperiment,
  kernelRows,
  predictHaproxy,
  predictKernel,
  printTableAfterAll,
  type RoundPredictions,
  readPredictions,
  rowTests,
  runOf,
  writeBlindPredictions,
} from './heldout-rows.js';
import { twin7 } from './holdout7-figures.js';
import { HAPROXY8, NGINX8, NGINX8B, twinWithMethod } from './holdout8-figures.js';

const PREDICTIONS = 'calibration/data/holdout8-predictions.json';
/** The second batch's (nginx upstream race), committed before it was recorded, after the first batch's recordings. */
const PREDICTIONS_B = 'calibration/data/holdout8-batch2-predictions.json';

const KERNEL8 = HOLDOUT8_KERNEL_EXPERIMENTS as KernelExperiment[];
/** The port runs are recorded as round 1's and round 8's: without SCHED_FIFO (no -rt file). */
const kernelFile = (name: string): string => name;

const write = process.env.DRAINSIM_WRITE_HOLDOUT8;
describe.runIf(write)('held-out round 8: predictions before recording', () => {
  it('writes every twin’s figures (seeds 1-5) to calibration/data/holdout8-predictions.json', () => {
    writeBlindPredictions(PREDICTIONS, () => {
      const haproxy = predictHaproxy(HAPROXY8);
      const nginx = Object.fromEntries(
        Object.entries(NGINX8).map(([run, figures]) => {
          const runs = twin7(run);
          return [run, Object.fromEntries(figures.map((f) => [f.figure, f.sim(runs)]))];
        }),
      );
      const kernel = predictKernel(KERNEL8);
      const note =
        'drainsim predictions of the round-8 held-out twins (calibration/scenarios/<run>.yaml), written BEFORE any ' +
        'run was recorded (test/calibration/holdout8.test.ts, DRAINSIM_WRITE_HOLDOUT8=1). haproxy: per run, keyed by ' +
        "lb.uptime (s, HAProxy's start before t0, read off the recording: haproxy-restated.ts statedUptime()), per " +
        'figure: means over seeds 1-5 (check times: seed 1). nginx: per run, per figure, means over seeds 1-5. kernel: ' +
        'per experiment, per row of calibration/lib/holdout.mjs holdoutComparisons(), the median of seeds 1-5.';
      return { note, haproxy, nginx, kernel } satisfies RoundPredictions;
    });
  }, 900_000);
});

const writeB = process.env.DRAINSIM_WRITE_HOLDOUT8B;
describe.runIf(writeB)('held-out round 8, second batch: predictions before recording', () => {
  it('writes the upstream race twin’s figures (GET and POST halves, seeds 1-5) to calibration/data/holdout8-batch2-predictions.json', () => {
    writeBlindPredictions(PREDICTIONS_B, () => {
      const nginx = Object.fromEntries(
        Object.entries(NGINX8B).map(([run, figures]) => {
          const get = twinWithMethod(run, 'GET');
          const post = twinWithMethod(run, 'POST');
          return [run, Object.fromEntries(figures.map((f) => [f.figure, f.sim(get, post)]))];
        }),
      );
      const note =
        'drainsim predictions of the round-8 second-batch twin (calibration/scenarios/<run>.yaml, run with ' +
        'clients.http.method GET and POST), written BEFORE it was recorded (test/calibration/holdout8.test.ts, ' +
        'DRAINSIM_WRITE_HOLDOUT8B=1): per figure, means over seeds 1-5.';
      return { note, nginx };
    });
  }, 900_000);
});

/**
 * Rows outside the tolerance, by `<run> / <figure>`: both values are pinned by the test (the
 * prediction is blind, the recording fixed) and the cause, read in the real source, is given.
 */
export const GAPS8: Record<string, Gap> = {};

/** Every row whose recording exists, against the blind prediction. */
export function rows8(): HeldOutRow[] {
  const p = readPredictions<RoundPredictions>(PREDICTIONS);
  const pb = existsSync(PREDICTIONS_B) ? readPredictions<{ nginx: FlatPredictions }>(PREDICTIONS_B) : null;
  return [
    ...haproxyRows(HAPROXY8, p.haproxy),
    ...flatRows(NGINX8, p.nginx),
    ...(pb ? flatRows(NGINX8B, pb.nginx) : []),
    ...kernelRows(KERNEL8, kernelFile, p.kernel),
  ];
}

const recorded = write || writeB || !existsSync(PREDICTIONS) ? [] : rows8();
describe.skipIf(recorded.length === 0)('held-out round 8: the recordings against the blind predictions', () => {
  const rows = recorded;
  printTableAfterAll(rows, GAPS8);

  it('every run of the round is recorded', () => {
    const runs = new Set(rows.map(runOf));
    expect([...runs].sort()).toEqual(
      [
        ...Object.keys(HAPROXY8),
        ...Object.keys(NGINX8),
        // The second batch (its blind prediction committed before it was recorded).
        ...Object.keys(NGINX8B),
        ...KERNEL8.map((e) => kernelFile(e.name)),
      ].sort(),
    );
  });

  rowTests(rows, GAPS8, 'GAPS8');
  gapsAreRowsTest(rows, GAPS8);
});
