/**
 * Held-out validation, round 13 (session 22, hold13; calibration/README.md "Held-out validation,
 * round 13"): five nginx 1.22.1 runs combining mechanisms no earlier round recorded together —
 * client keepalive_requests with `nginx -s reload` (busy and idle clients), proxy_connect_timeout
 * with proxy_read_timeout on a frozen app whose accept queue is full (2 s / 1 s and 500 ms / 3 s),
 * and the same through an upstream keepalive cache with requests in flight at the freeze. The twins
 * and the predictions (calibration/data/holdout13-predictions.json, written by
 * DRAINSIM_WRITE_HOLDOUT13=1 below) were committed BEFORE anything was recorded (BLIND13); each run
 * was then recorded once. Nothing is refitted: the table compares the blind prediction with the
 * recording (tolerances in holdout13-figures.ts, stated before recording); a row outside it stays
 * as a KNOWN GAP with both values and its cause (GAPS13). A row both sides put at 0 is marked
 * input-fixed ("0 vs 0") in the count of mechanism rows.
 */
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  blindAncestryTest,
  blindPredictionsWriter,
  type FlatPredictions,
  flatRows,
  type Gap,
  gapsAreRowsTest,
  type HeldOutRow,
  readPredictions,
  readRecording,
  rowTests,
  runOf,
  type SourceStamped,
  TABLE_HEAD,
  tableLine,
  within,
} from './heldout-rows.js';
import { twin7 } from './holdout7-figures.js';
import { NGINX13 } from './holdout13-figures.js';

const PREDICTIONS = 'calibration/data/holdout13-predictions.json';
/** The commit holding the twins and predictions, made before any round-13 recording (set once recorded). */
const BLIND13: string | null = null;

interface Predictions {
  note: string;
  nginx: FlatPredictions;
}

/** The batch's blind predictions: its twins' figures (run inside the writer's test). */
const predictions13 = () => {
  const nginx = Object.fromEntries(
    Object.entries(NGINX13).map(([run, figures]) => {
      const runs = twin7(run);
      return [run, Object.fromEntries(figures.map((f) => [f.figure, f.sim(runs)]))];
    }),
  );
  const note =
    'drainsim predictions of the round-13 held-out twins (calibration/scenarios/<run>.yaml), written BEFORE any ' +
    'run was recorded (test/calibration/holdout13.test.ts, DRAINSIM_WRITE_HOLDOUT13=1). nginx: per run, per ' +
    'figure, means over seeds 1-5 (the old worker’s exit: seed 1).';
  return { note, nginx } satisfies Predictions;
};
const write = blindPredictionsWriter('DRAINSIM_WRITE_HOLDOUT13', PREDICTIONS, 'held-out round 13', predictions13);

/** Rows outside the tolerance, by `<run> / <figure>`: both values pinned, the cause read in the real source. */
export const GAPS13: Record<string, Gap> = {};

/** The recording of every run: `<run>-rt` (the recorder under SCHED_FIFO, --rt 10). */
const RUNS = Object.keys(NGINX13);
const recordings = (): Array<[string, SourceStamped]> =>
  RUNS.flatMap((run) => {
    const d = readRecording<SourceStamped>(`${run}-rt`);
    return d ? [[run, d] as [string, SourceStamped]] : [];
  });

/** A row both sides put at 0 cannot tell the model from no model: counted apart ("0 vs 0"). */
const markZeros = (r: HeldOutRow): HeldOutRow =>
  r.fixed || r.real !== 0 || r.predicted !== 0 ? r : { ...r, fixed: '0 vs 0' };

/** Every row whose recording exists, against the blind prediction. */
export function rows13(): HeldOutRow[] {
  const p = readPredictions<Predictions>(PREDICTIONS);
  return flatRows(NGINX13, p.nginx).map(markZeros);
}

const recorded = write || !existsSync(PREDICTIONS) ? [] : rows13();
describe.skipIf(recorded.length === 0)('held-out round 13: the recordings against the blind predictions', () => {
  const rows = recorded;
  afterAll(() => {
    if (!process.env.DRAINSIM_CALIBRATION_TABLE) return;
    const mech = rows.filter((r) => !r.fixed);
    process.stdout.write(
      `${TABLE_HEAD}${rows.map((r) => tableLine(r, GAPS13)).join('\n')}\n\n` +
        `${rows.filter(within).length} of ${rows.length} rows within tolerance; ` +
        `${mech.filter(within).length} of ${mech.length} mechanism rows\n`,
    );
  });

  it('every run of the round is recorded', () => {
    expect(BLIND13, 'set BLIND13 to the commit of the twins and predictions').not.toBeNull();
    expect([...new Set(rows.map(runOf))].sort()).toEqual([...RUNS].sort());
  });

  blindAncestryTest(() => recordings().map(([run, data]) => ({ run, data, blind: BLIND13 })));

  rowTests(rows, GAPS13, 'GAPS13');
  gapsAreRowsTest(rows, GAPS13);
});
