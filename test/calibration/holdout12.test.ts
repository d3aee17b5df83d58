/**
 * Held-out validation, round 12 (session 21, hold12; calibration/README.md "Held-out validation,
 * round 12"): three HAProxy 2.6.12 runs combining mechanisms no earlier round recorded together —
 * per-server `maxconn` with `timeout queue` and a kill -9 (in-flight losses, redispatch into a full
 * backend, the queue timeout), `slowstart` with a second kill inside the ramp, and `balance
 * leastconn` through `state drain` and back to `ready` under 500-ms requests. The twins and the
 * predictions (calibration/data/holdout12-predictions.json, written by DRAINSIM_WRITE_HOLDOUT12=1
 * below) were committed BEFORE anything was recorded (BLIND12); each run was then recorded once.
 * Nothing is refitted: the table compares the blind prediction with the recording (counts ±10 %
 * (±2 near zero), times ±1 s, the sub-second queue wait ±0.25 s); a row outside it stays as a
 * KNOWN GAP with both values and its cause (GAPS12). Each prediction is a table over HAProxy's
 * start before t0 (`lb.uptime`), read at the start its recording states (haproxy-restated.ts
 * statedUptime()). A row whose real and predicted values are both 0 is marked input-fixed ("0 vs
 * 0") in the count of mechanism rows.
 */
import { existsSync } from 'node:fs';
import { afterAll, describe, it } from 'vitest';
import {
  blindAncestryTest,
  type Gap,
  gapsAreRowsTest,
  type HaproxyPredictions,
  type HeldOutRow,
  haproxyRows,
  predictHaproxy,
  readPredictions,
  readRecording,
  rowTests,
  TABLE_HEAD,
  tableLine,
  within,
  writeBlindPredictions,
} from './heldout-rows.js';
import type { HaproxyRec8 } from './holdout8-figures.js';
import { HAPROXY12 } from './holdout12-figures.js';

const PREDICTIONS = 'calibration/data/holdout12-predictions.json';
/** The commit holding the twins and predictions, made before any round-12 recording (set once recorded). */
const BLIND12: string | null = null;

interface Predictions {
  note: string;
  haproxy: HaproxyPredictions;
}

const write = process.env.DRAINSIM_WRITE_HOLDOUT12;
describe.runIf(write)('held-out round 12: predictions before recording', () => {
  it('writes every twin’s figures (seeds 1-5) to calibration/data/holdout12-predictions.json', () => {
    writeBlindPredictions(PREDICTIONS, () => {
      const note =
        'drainsim predictions of the round-12 held-out twins (calibration/scenarios/<run>.yaml), written BEFORE any ' +
        'run was recorded (test/calibration/holdout12.test.ts, DRAINSIM_WRITE_HOLDOUT12=1). haproxy: per run, keyed ' +
        "by lb.uptime (s, HAProxy's start before t0, read off the recording: haproxy-restated.ts statedUptime()), per " +
        'figure: means over seeds 1-5 (check times: seed 1).';
      return { note, haproxy: predictHaproxy(HAPROXY12) } satisfies Predictions;
    });
  }, 900_000);
});

/** Rows outside the tolerance, by `<run> / <figure>`: both values pinned, the cause read in the real source. */
export const GAPS12: Record<string, Gap> = {};

const RUNS = Object.keys(HAPROXY12);
type Stamped = HaproxyRec8 & { stamp: { sourceCommit?: { commit: string; dirty: boolean } | null } };
const recordings = (): Array<[string, Stamped]> =>
  RUNS.flatMap((run) => {
    const d = readRecording<Stamped>(`${run}-rt`);
    return d ? [[run, d] as [string, Stamped]] : [];
  });

/** A row both sides put at 0 cannot tell the model from no model: counted apart ("0 vs 0"). */
const markZeroes = (r: HeldOutRow): HeldOutRow =>
  r.fixed || r.real !== 0 || r.predicted !== 0 ? r : { ...r, fixed: '0 vs 0' };

/** Every row whose recording exists, against the blind prediction. */
export function rows12(): HeldOutRow[] {
  return haproxyRows(HAPROXY12, readPredictions<Predictions>(PREDICTIONS).haproxy).map(markZeroes);
}

const recorded = write || !existsSync(PREDICTIONS) ? [] : rows12();
describe.skipIf(recorded.length === 0)('held-out round 12: the recordings against the blind predictions', () => {
  const rows = recorded;
  afterAll(() => {
    if (!process.env.DRAINSIM_CALIBRATION_TABLE) return;
    const mech = rows.filter((r) => !r.fixed);
    process.stdout.write(
      `${TABLE_HEAD}${rows.map((r) => tableLine(r, GAPS12)).join('\n')}\n\n` +
        `${rows.filter(within).length} of ${rows.length} rows within tolerance; ` +
        `${mech.filter(within).length} of ${mech.length} mechanism rows (blind)\n`,
    );
  });

  blindAncestryTest(() => recordings().map(([run, data]) => ({ run, data, blind: BLIND12 })));

  rowTests(rows, GAPS12, 'GAPS12');

  gapsAreRowsTest(rows, GAPS12);
});
