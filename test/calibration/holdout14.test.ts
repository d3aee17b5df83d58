/**
 * Held-out validation, round 14 (session 22, hold14; calibration/README.md "Held-out validation,
 * round 14"): four HAProxy 2.6.12 runs, each where a rule modelled in session 22 (queue22) and
 * tested by no recording decides a figure — `retry-on conn-failure empty-response` retrying the
 * HTTP requests `on-marked-down shutdown-sessions` shuts, with and without `option redispatch`
 * (06acadd); roundrobin not asked while streams wait in the backend queue, so a server set ready
 * from drain under a queue that never empties takes nothing (458f738); a server leaving maint
 * taking the backend queue at once without slowstart (3866c11). The twins and the predictions
 * (calibration/data/holdout14-predictions.json, written by DRAINSIM_WRITE_HOLDOUT14=1 below, with
 * each figure's tolerance) were committed BEFORE anything was recorded (BLIND14); each run was then
 * recorded once. Nothing is refitted: the table compares the blind prediction with the recording
 * (tolerances in holdout14-figures.ts, stated before recording); a row outside it stays as a KNOWN
 * GAP with both values and its cause (GAPS14). A row both sides put at 0 is marked input-fixed
 * ("0 vs 0") but the rows whose 0 is the rule tested (MECHANISM_ZEROS14). The reload22 rules (nginx)
 * are not recorded this round: calibration/README.md says why.
 * Recorded once each from the blind commit (fd06f82; load average 3.4-4.2 at the starts): 18 of 18
 * rows within tolerance, 14 of 14 mechanism rows; the 11 rows where a new rule decides the figure
 * (the old model, `git archive <commit>^`, outside the tolerance) all agree. Three rows were marked
 * after the recording (input-fixed or derived, holdout14-figures.ts; values and tolerances unchanged).
 */
import { existsSync } from 'node:fs';
import { describe } from 'vitest';
import {
  type Gap,
  HAPROXY_NOTE_TAIL,
  type HaproxyPredictions,
  type HeldOutRow,
  haproxyRows,
  markZeros,
  predictHaproxy,
  readPredictions,
} from './heldout-rows.js';
import { blindTableText, everyRunRecordedTest } from './holdout-round.js';
import { blindRoundTests, blindWriter, printAfterAll } from './holdout-scaffold.js';
import { HAPROXY14, MECHANISM_ZEROS14 } from './holdout14-figures.js';

const PREDICTIONS = 'calibration/data/holdout14-predictions.json';
/** The commit holding the twins and predictions, made before any round-14 recording (fd06f82). */
const BLIND14: string | null = 'fd06f82538169d84cd9a39ed80f0c05593782ba3';
/**
 * The digest of the rows' run, figure, real value and tolerance (heldout-rows.ts definitionsDigest),
 * pinned once recorded, with the blind commit's figure definitions (holdout14-figures.ts unchanged
 * since fd06f82 but for the markings, which are not in the digest).
 */
const DEFINITIONS14 = '979de95b3736cb2f';

interface Predictions {
  note: string;
  haproxy: HaproxyPredictions;
}

const write = blindWriter({
  round: 14,
  file: PREDICTIONS,
  rest:
    "; tolerances: each figure's, stated before recording (holdout14-figures.ts). haproxy: per run, " +
    HAPROXY_NOTE_TAIL,
  predict: () => ({ haproxy: predictHaproxy(HAPROXY14) }),
  figureSets: HAPROXY14,
});

/** Rows outside the tolerance, by `<run> / <figure>`: both values pinned, the cause read in the real source. */
export const GAPS14: Record<string, Gap> = {};

/** The round's one batch. */
const BATCHES = [{ figures: HAPROXY14, predictions: PREDICTIONS, blind: BLIND14 }];
const RUNS = Object.keys(HAPROXY14);

/** Every row whose recording exists, against the blind prediction. */
export function rows14(): HeldOutRow[] {
  return haproxyRows(HAPROXY14, readPredictions<Predictions>(PREDICTIONS).haproxy).map(markZeros(MECHANISM_ZEROS14));
}

const recorded = write || !existsSync(PREDICTIONS) ? [] : rows14();
describe.skipIf(recorded.length === 0)('held-out round 14: the recordings against the blind predictions', () => {
  const rows = recorded;
  printAfterAll(() => blindTableText(rows, GAPS14));
  everyRunRecordedTest(
    'every run of the round is recorded',
    rows,
    RUNS,
    BLIND14,
    'set BLIND14 to the commit of the twins and predictions',
  );

  blindRoundTests(rows, { batches: BATCHES, digest: DEFINITIONS14, gaps: GAPS14, gapsName: 'GAPS14' });
});
