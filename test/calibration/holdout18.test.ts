/**
 * Held-out validation, round 18 (session 25, hold18; calibration/README.md "Held-out validation,
 * round 18"): three of session 23-24's HAProxy 2.6 queue rules that no recording had checked (each
 * commit says no calibration row moved), each in runs where the rule decides a figure (the model
 * before it outside the tolerance):
 *
 * - 7f7ec3e: roundrobin queues a new stream behind a waiting backend queue even when no server
 *   serves any (src/backend.c assign_server(), beconn counting the stream being assigned). One run:
 *   s2 ready from drain while s1 and s3 are drained under the queue.
 * - 030467c: the last server leaving load balancing leaves the backend queue to `timeout queue`
 *   (src/queue.c pendconn_redistribute()). Two runs: one hung server set to drain, to maint.
 * - 28e2ebc: a second `state drain` of a drained server redistributes nothing (src/server.c
 *   srv_set_admin_flag()). One run: cookie users queued on a drained, hung s1, drained again.
 * - 030467c's other half (second batch, 18B, predicted after the first was recorded): without
 *   `option redispatch` a server set to maint keeps its own queue (pendconn_redistribute() returns
 *   0 whatever the admin state). Two runs: cookie users queued on a hung s1 set to maint, without
 *   option redispatch (the rule) and with it (the control, handed back in both models).
 *
 * Recorder calibration/haproxy/holdout18.mjs (run.mjs lists it). The twins and the predictions
 * (calibration/data/holdout18-predictions.json, written by DRAINSIM_WRITE_HOLDOUT18=1 below, with
 * each figure's tolerance) and the old models' figures (calibration/data/holdout18-old-model-
 * predictions.json, DRAINSIM_HOLDOUT18_OLD=<dir>: <dir>/<rule> is `git archive <rule>^` built) were
 * committed BEFORE anything was recorded (BLIND18); each run was then recorded once. Nothing is
 * refitted: the table compares the blind prediction with the recording (tolerances in
 * holdout18-figures.ts, stated before recording); a row outside it stays as a KNOWN GAP with both
 * values and its cause (GAPS18). A row both sides put at 0 (or none) is marked input-fixed unless
 * its 0 is the rule tested (MECHANISM_ZEROS18).
 * Recorded once each from the blind commits (9b9b5c5; 18B 32a9881; load average 12.9-15.6 at the
 * starts): 19 of 19 rows within tolerance, 19 of 19 mechanism rows, 13 decided by their rule. No gap.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import {
  type FlatPredictions,
  flatRows,
  type Gap,
  type HeldOutRow,
  markZeros,
  predictFlat,
  readPredictions,
  runOf,
} from './heldout-rows.js';
import { predictOldFlat, printOldModelTable, writeOldModel } from './holdout-old-model.js';
import { everyRunRecordedTest } from './holdout-round.js';
import { blindRoundTests, blindWriter } from './holdout-scaffold.js';
import { HAPROXY18, HAPROXY18B, MECHANISM_ZEROS18, MECHANISM_ZEROS18B, RULE18, RULE18B } from './holdout18-figures.js';

const PREDICTIONS = 'calibration/data/holdout18-predictions.json';
const OLD_MODEL = 'calibration/data/holdout18-old-model-predictions.json';
/** The second batch (18B, 030467c's maint without option redispatch), predicted after the first was recorded. */
const PREDICTIONS_B = 'calibration/data/holdout18b-predictions.json';
const OLD_MODEL_B = 'calibration/data/holdout18b-old-model-predictions.json';
/** 18B's blind commit (null until then). */
const BLIND18B: string | null = '32a9881be6725e6960a13902bf001590399118ab';
/** 18B's digest, pinned once recorded. */
const DEFINITIONS18B = 'ef5eedc9ce5e5a49';
/** The commit holding the twins and predictions, made before any round-18 recording (null until then). */
const BLIND18: string | null = '9b9b5c5627025a6391fc94b5c7582e6f63272462';
/** The digest of the rows' run, figure, real value and tolerance (heldout-rows.ts definitionsDigest), pinned once recorded. */
const DEFINITIONS18 = '1fc06d9e2859af4f';

interface Predictions {
  note: string;
  haproxy: FlatPredictions;
}

const write = blindWriter({
  round: 18,
  file: PREDICTIONS,
  rest:
    "; tolerances: each figure's, stated before recording (holdout18-figures.ts). haproxy: per run, per figure, " +
    'the mean over seeds 1-5 (none when a seed has none).',
  predict: () => ({ haproxy: predictFlat(HAPROXY18) }),
  figureSets: HAPROXY18,
});

const writeB = blindWriter({
  round: 18,
  batch: 'B',
  file: PREDICTIONS_B,
  twins: 'second-batch held-out twins',
  written: 'after the first batch was recorded, BEFORE its own runs were',
  rest:
    "; tolerances: each figure's, stated before recording (holdout18-figures.ts HAPROXY18B). haproxy: per run, per " +
    'figure, the mean over seeds 1-5 (none when a seed has none).',
  predict: () => ({ haproxy: predictFlat(HAPROXY18B) }),
  figureSets: HAPROXY18B,
});

/**
 * The old models' figures: DRAINSIM_HOLDOUT18_OLD=<dir>, where <dir>/<rule> is `git archive
 * <rule>^` built, for each run's rule (RULE18). Each twin runs as it is (every key it sets is in
 * those models' schemas; only the rule differs).
 */
const oldDir = process.env.DRAINSIM_HOLDOUT18_OLD;
describe.runIf(Boolean(oldDir))("held-out round 18: the old models' figures", () => {
  it(`runs each twin on <its rule>^ and writes ${OLD_MODEL}`, async () => {
    const haproxy = await predictOldFlat((run) => join(oldDir as string, RULE18[run]), HAPROXY18);
    const note =
      "The old models' figures of the round-18 twins (the same seeds 1-5 and figures of holdout18-figures.ts), " +
      'written before any run was recorded (test/calibration/holdout18.test.ts, DRAINSIM_HOLDOUT18_OLD): each twin ' +
      'as it is on `git archive <rule>^` of its rule (7f7ec3e, 030467c, 28e2ebc: holdout18-figures.ts RULE18).';
    writeOldModel(OLD_MODEL, note, { haproxy });
  }, 900_000);
});

/** 18B's old model: the same DRAINSIM_HOLDOUT18_OLD directory, each run's rule (RULE18B: 030467c^). */
describe.runIf(Boolean(oldDir))("held-out round 18, second batch: the old model's figures", () => {
  it(`runs each 18B twin on 030467c^ and writes ${OLD_MODEL_B}`, async () => {
    const haproxy = await predictOldFlat((run) => join(oldDir as string, RULE18B[run]), HAPROXY18B);
    const note =
      "The old model's figures of the round-18 second-batch twins (seeds 1-5, the figures of holdout18-figures.ts " +
      "HAPROXY18B) on `git archive 030467c^` (HAProxy 3.1's maint: a server's own queue handed back always), " +
      'written before the runs were recorded (test/calibration/holdout18.test.ts, DRAINSIM_HOLDOUT18_OLD).';
    writeOldModel(OLD_MODEL_B, note, { haproxy });
  }, 900_000);
});

/** Rows outside the tolerance, by `<run> / <figure>`: both values pinned, the cause read in the real source. */
export const GAPS18: Record<string, Gap> = {};
/** 18B's known gaps (as GAPS18). */
export const GAPS18B: Record<string, Gap> = {};

const BATCH = { figures: HAPROXY18, predictions: PREDICTIONS, blind: BLIND18 };
const BATCH_B = { figures: HAPROXY18B, predictions: PREDICTIONS_B, blind: BLIND18B };
const RUNS = Object.keys(HAPROXY18);

/** Every row whose recording exists, against the blind prediction. */
export function rows18(): HeldOutRow[] {
  return flatRows(HAPROXY18, readPredictions<Predictions>(PREDICTIONS).haproxy).map(markZeros(MECHANISM_ZEROS18));
}

/** 18B's rows whose recording exists, against its blind prediction (none before it is predicted). */
export function rows18B(): HeldOutRow[] {
  if (!existsSync(PREDICTIONS_B)) return [];
  return flatRows(HAPROXY18B, readPredictions<Predictions>(PREDICTIONS_B).haproxy).map(markZeros(MECHANISM_ZEROS18B));
}

/** The old model's figure of a row, or undefined without the file. */
export function oldModelOf(r: HeldOutRow): number | null | undefined {
  const file = runOf(r) in HAPROXY18B ? OLD_MODEL_B : OLD_MODEL;
  if (!existsSync(file)) return undefined;
  return readPredictions<Predictions>(file).haproxy[runOf(r)]?.[r.figure];
}

const ruleOf = (run: string): string => RULE18[run] ?? RULE18B[run];

const recorded = write || writeB || !existsSync(PREDICTIONS) ? [] : rows18();
const recordedB = write || writeB ? [] : rows18B();
describe.skipIf(recorded.length === 0)('held-out round 18: the recordings against the blind predictions', () => {
  const all = [...recorded, ...recordedB];
  printOldModelTable(all, { oldModelOf, ruleOf, gaps: { ...GAPS18, ...GAPS18B } });
  everyRunRecordedTest(
    'every run of the first batch is recorded',
    recorded,
    RUNS,
    BLIND18,
    'set BLIND18 to the commit of the twins and predictions',
  );

  describe('first batch (7f7ec3e, 030467c, 28e2ebc)', () => {
    blindRoundTests(recorded, { batches: [BATCH], digest: DEFINITIONS18, gaps: GAPS18, gapsName: 'GAPS18' });
  });

  describe.skipIf(recordedB.length === 0)("second batch (030467c's maint without option redispatch)", () => {
    blindRoundTests(recordedB, { batches: [BATCH_B], digest: DEFINITIONS18B, gaps: GAPS18B, gapsName: 'GAPS18B' });
  });
});
