/**
 * Held-out validation, round 21 (session 27, hold21; calibration/README.md "Held-out validation,
 * round 21"): two HAProxy 2.6 leastconn rules of session 26 that no recording had checked (each
 * commit: no calibration row decided by it), each in a run where the rule decides figures (the model
 * before it outside the tolerance):
 *
 * - 5fbf29b: equal fwlc keys go in the tree's insertion order, the longest-idle server first
 *   (src/lb_fwlc.c, include/import/ebtree.h); before, ties went in turn;
 * - 00004da: a connection retry kept on its server keeps its stream counted and its place among
 *   equal keys (src/stream.c sess_change_server() returns at `oldsrv == newsrv`); before, the
 *   server was re-inserted behind its peers at each retry.
 *
 * Recorder calibration/haproxy/holdout21.mjs (calibration/haproxy/experiments.mjs lists it). The twins
 * and the predictions (calibration/data/holdout21-predictions.json, written by
 * DRAINSIM_WRITE_HOLDOUT21=1 below, with each figure's tolerance) and the old models' figures
 * (calibration/data/holdout21-old-model-predictions.json, DRAINSIM_HOLDOUT21_OLD=<dir>: <dir>/<rule>
 * is `git archive <rule>^` built, per run RULE21) were committed BEFORE anything was recorded
 * (BLIND21); the runs were then recorded once. Nothing is refitted: the table compares the blind
 * prediction with the recording (tolerances in holdout21-figures.ts, stated before recording); a row
 * outside it stays as a KNOWN GAP with both values and its cause (GAPS21).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import {
  type Gap,
  type HaproxyPredictions,
  type HeldOutRow,
  haproxyRows,
  markZeros,
  predictHaproxy,
  readPredictions,
} from './heldout-rows.js';
import { oldFigureOf, predictOldHaproxy, printOldModelTable, writeOldModel } from './holdout-old-model.js';
import { everyRunRecordedTest } from './holdout-round.js';
import { blindRoundTests, blindWriter } from './holdout-scaffold.js';
import { HAPROXY21, MECHANISM_ZEROS21, RULE21 } from './holdout21-figures.js';

const PREDICTIONS = 'calibration/data/holdout21-predictions.json';
const OLD_MODEL = 'calibration/data/holdout21-old-model-predictions.json';
/** The commit holding the twin and predictions, made before any round-21 recording (null until then). */
const BLIND21: string | null = '110ed225f78230ef49b7baaca65a6d97258c0152';
/** The digest of the rows' run, figure, real value and tolerance (heldout-rows.ts definitionsDigest), pinned once recorded. */
const DEFINITIONS21 = 'd8277ba2928cf398';

interface Predictions {
  note: string;
  haproxy: HaproxyPredictions;
}

const write = blindWriter({
  round: 21,
  file: PREDICTIONS,
  predict: () => ({ haproxy: predictHaproxy(HAPROXY21) }),
  figureSets: HAPROXY21,
});

/**
 * The old models' figures: DRAINSIM_HOLDOUT21_OLD=<dir>, where <dir>/5fbf29b is `git archive
 * 5fbf29b^` built and <dir>/00004da `git archive 00004da^` (RULE21: each run against the model just
 * before its rule). The twins run as they are (every key they set is in those models' schemas).
 */
const oldDir = process.env.DRAINSIM_HOLDOUT21_OLD;
describe.runIf(Boolean(oldDir))("held-out round 21: the old models' figures", () => {
  it(`runs each twin on its rule's parent and writes ${OLD_MODEL}`, async () => {
    const haproxy = await predictOldHaproxy((run) => join(oldDir as string, RULE21[run]), HAPROXY21);
    const note =
      "The old models' figures of the round-21 twins (the same seeds 1-5, uptime grid and figures of holdout21-figures.ts), " +
      'written before any run was recorded (test/calibration/holdout21.test.ts, DRAINSIM_HOLDOUT21_OLD): each twin ' +
      'as it is on `git archive <rule>^` of its run (RULE21: 5fbf29b^ broke leastconn ties in turn; 00004da^ ' +
      're-inserted a server behind its equal-key peers at each connection retry kept on it).';
    writeOldModel(OLD_MODEL, note, { haproxy });
  }, 900_000);
});

/** Rows outside the tolerance, by `<run> / <figure>`: both values pinned, the cause read in the real source. */
export const GAPS21: Record<string, Gap> = {};

const BATCH = { figures: HAPROXY21, predictions: PREDICTIONS, blind: BLIND21 };
const RUNS = Object.keys(HAPROXY21);

/** Every row whose recording exists, against the blind prediction (at the start its recording states). */
export function rows21(): HeldOutRow[] {
  const p = readPredictions<Predictions>(PREDICTIONS);
  return haproxyRows(HAPROXY21, p.haproxy).map(markZeros(MECHANISM_ZEROS21));
}

/** The old model's figure of a row at its stated start, or undefined without the file. */
export function oldModelOf(r: HeldOutRow): number | null | undefined {
  if (!existsSync(OLD_MODEL)) return undefined;
  return oldFigureOf(r, readPredictions<Predictions>(OLD_MODEL).haproxy);
}

const recorded = write || !existsSync(PREDICTIONS) ? [] : rows21();
describe.skipIf(recorded.length === 0)('held-out round 21: the recording against the blind predictions', () => {
  printOldModelTable(recorded, { oldModelOf, ruleOf: (run) => RULE21[run], gaps: GAPS21 });
  everyRunRecordedTest(
    'every run is recorded',
    recorded,
    RUNS,
    BLIND21,
    'set BLIND21 to the commit of the twin and predictions',
  );

  blindRoundTests(recorded, { batches: [BATCH], digest: DEFINITIONS21, gaps: GAPS21, gapsName: 'GAPS21' });
});
