/**
 * What the blind held-out rounds 9-14 (test/calibration/holdout9-14.test.ts) repeat around their
 * own runs: a batch's blind predictions writer and its note, the recordings of a batch's runs, the
 * rows of a recorded run re-run with today's model (post hoc, not blind), the blind tests of a
 * round and its printed table. Each round keeps in its own file what differs: its batches (figures,
 * predictions file, blind commit), the notes' words, its pinned digest, its gaps, its post-hoc
 * figures and labels. The rows themselves are heldout-rows.ts's.
 */
import { existsSync } from 'node:fs';
import { afterAll, expect } from 'vitest';
import { statedUptime } from './haproxy-restated.js';
import {
  type BlindRecording,
  blindAncestryTest,
  blindPredictionsWriter,
  expectPinned,
  type Gap,
  gapsAreRowsTest,
  HAPROXY_NOTE_TAIL,
  type HaproxyPredictions,
  type HeldOutRow,
  haproxyRows,
  isMechanism,
  keyOf,
  pinnedDefinitionsTest,
  readPredictions,
  readRecording,
  rowTests,
  type SourceStamped,
  show,
  TABLE_HEAD,
  tableLine,
  within,
} from './heldout-rows.js';
import type { Tolerance } from './heldout-table.js';
import { type Figure7, type HaproxyRec7, twin7, uptimeKey } from './holdout7-figures.js';

/** One batch of a round: its figures per run, its predictions file, its blind commit (null until recorded). */
export interface Batch<F = unknown> {
  figures: Record<string, F>;
  predictions: string;
  blind: string | null;
}

/** When a round's first batch was predicted (its notes' words). */
export const BEFORE_ANY_RUN = 'BEFORE any run was recorded';

/** The note's words on a `haproxy` section (rounds 10-12): per run, per uptime, per figure. */
export const HAPROXY_SECTION = `. haproxy: per run, ${HAPROXY_NOTE_TAIL}`;

/** A batch's blind predictions: what its note says and what its twins give (run inside the writer's test). */
export interface BlindWriting<P extends object> {
  round: number;
  /** '' for the round's first batch (the default), 'B' for its second, 'C' for its third (DRAINSIM_WRITE_HOLDOUT<round><batch>). */
  batch?: '' | 'B' | 'C';
  file: string;
  /** The twins the note names: 'held-out twins' unless said (e.g. 'second-batch held-out twin'). */
  twins?: string;
  /** When they were written: BEFORE_ANY_RUN unless said (a second batch: after the first batch's recordings). */
  written?: string;
  /** The rest of the note, its separator first, saying what each section holds: HAPROXY_SECTION unless said. */
  rest?: string;
  /** The sections after the note, in the file's order. */
  predict: () => P;
  /** From round 14 on: the figure sets, whose tolerances the file keeps (blindPredictionsWriter). */
  figureSets?: Record<string, Array<{ figure: string; tolerance: Tolerance }>>;
}

/**
 * The writer of a batch's blind predictions (heldout-rows.ts blindPredictionsWriter), its note
 * `drainsim predictions of the round-<round> <twins> (calibration/scenarios/<run>.yaml), written
 * <written> (test/calibration/holdout<round>.test.ts, DRAINSIM_WRITE_HOLDOUT<round><batch>=1)<rest>`
 * first: the words of every committed predictions file of rounds 9-14. True when it writes.
 */
export function blindWriter<P extends object>({
  round,
  batch = '',
  file,
  twins = 'held-out twins',
  written = BEFORE_ANY_RUN,
  rest = HAPROXY_SECTION,
  predict,
  figureSets,
}: BlindWriting<P>): boolean {
  const envVar = `DRAINSIM_WRITE_HOLDOUT${round}${batch}`;
  const note =
    `drainsim predictions of the round-${round} ${twins} (calibration/scenarios/<run>.yaml), written ${written} ` +
    `(test/calibration/holdout${round}.test.ts, ${envVar}=1)${rest}`;
  const label = `held-out round ${round}${{ '': '', B: ', second batch', C: ', third batch' }[batch]}`;
  return blindPredictionsWriter(envVar, file, label, () => ({ note, ...predict() }), figureSets);
}

/** A round-9-14 HAProxy figure: read on a recording and on a twin's runs; `fixed` its input-fixed marking. */
export type HaproxyFigure<D> = Figure7<D> & { fixed?: string };

/** Every blind row of the batches that have predictions, each recorded run read at the uptime its recording states. */
export const haproxyBatchRows = <D extends HaproxyRec7>(batches: Array<Batch<Array<HaproxyFigure<D>>>>): HeldOutRow[] =>
  batches
    .filter((b) => existsSync(b.predictions))
    .flatMap((b) => haproxyRows(b.figures, readPredictions<{ haproxy: HaproxyPredictions }>(b.predictions).haproxy));

/** Each run of `runs` recorded (`<run>-rt`, the recorder under SCHED_FIFO, --rt 10), with its recording. */
export const recordingsOf = <D>(runs: string[]): Array<[string, D]> =>
  runs.flatMap((run) => {
    const d = readRecording<D>(`${run}-rt`);
    return d ? [[run, d] as [string, D]] : [];
  });

/** Every recorded run of the batches, with its batch's blind commit and predictions file (blindAncestryTest). */
export const blindRecordings = (batches: Batch[]): BlindRecording[] =>
  batches.flatMap((b) =>
    recordingsOf<SourceStamped>(Object.keys(b.figures)).map(([run, data]) => ({
      run,
      data,
      blind: b.blind,
      predictions: b.predictions,
    })),
  );

/** The runs of the batches recorded so far (a batch's blind commit is set once it is recorded). */
export const dueRuns = (batches: Batch[]): string[] =>
  batches.filter((b) => b.blind !== null).flatMap((b) => Object.keys(b.figures));

/**
 * A round's blind tests, inside its describe block: every recording made blind (its stamp, its
 * batch's predictions file), the figures' digest as pinned, a test per row (within its tolerance or
 * a pinned known gap of `gaps`, named `gapsName`) and every gap a row of the table.
 */
export function blindRoundTests(
  rows: HeldOutRow[],
  round: { batches: Batch[]; digest: string; gaps: Record<string, Gap>; gapsName: string },
): void {
  blindAncestryTest(() => blindRecordings(round.batches), rows);
  pinnedDefinitionsTest(rows, round.digest);
  rowTests(rows, round.gaps, round.gapsName);
  gapsAreRowsTest(rows, round.gaps);
}

/**
 * Post-hoc rows, NOT blind: each recorded HAProxy run that `figuresOf` gives figures for, its twin
 * re-run with today's model at the uptime its recording states (seeds 1-5), labelled
 * `<run> (uptime <u> s) <label>`.
 */
export function rerunHaproxyRows<D extends HaproxyRec7>(
  recorded: Array<[string, D]>,
  figuresOf: (run: string) => Array<HaproxyFigure<D>> | undefined,
  label: string,
): HeldOutRow[] {
  return recorded.flatMap(([run, d]) => {
    const figures = figuresOf(run);
    if (!figures) return [];
    const at = uptimeKey(statedUptime(d));
    const runs = twin7(run, Number(at));
    return figures.map((f) => ({
      run: `${run} (uptime ${at} s) ${label}`,
      figure: f.figure,
      real: f.real(d),
      predicted: f.sim(runs),
      tolerance: f.tolerance,
      fixed: f.fixed,
    }));
  });
}

/** `f`'s value, computed at the first call (the twins of post-hoc rows run once, inside a test). */
export function once<T>(f: () => T): () => T {
  let memo: { value: T } | null = null;
  return () => {
    memo ??= { value: f() };
    return memo.value;
  };
}

/**
 * Post-hoc rows: each within its tolerance, or a gap of `gaps` (named `gapsName`) still outside it
 * with both values pinned. `now` names the re-run value in the message ('now', 'model').
 */
export function expectPostHoc(rows: HeldOutRow[], gaps: Record<string, Gap> = {}, gapsName = '', now = 'now'): void {
  for (const r of rows) {
    const key = keyOf(r);
    const gap = gaps[key];
    if (gap === undefined) {
      expect(within(r), `${key}: real ${show(r.real)}, ${now} ${show(r.predicted)}`).toBe(true);
      continue;
    }
    expect(within(r), `${key} is within tolerance now: move it out of ${gapsName}`).toBe(false);
    expectPinned(r, gap);
  }
}

/** A line per row (heldout-rows.ts tableLine). */
export const tableLines = (rows: HeldOutRow[], gaps: Record<string, Gap>): string =>
  rows.map((r) => tableLine(r, gaps)).join('\n');

/** The table's head and a line per row. */
export const tableText = (rows: HeldOutRow[], gaps: Record<string, Gap>): string =>
  `${TABLE_HEAD}${tableLines(rows, gaps)}`;

/** `<n> of <m>`: the rows within their tolerance. */
export const passedOf = (rows: HeldOutRow[]): string => `${rows.filter(within).length} of ${rows.length}`;

/** `<n> of <m> rows within tolerance; <k> of <l> mechanism rows` (isMechanism). */
export const countsText = (rows: HeldOutRow[]): string =>
  `${passedOf(rows)} rows within tolerance; ${passedOf(rows.filter(isMechanism))} mechanism rows`;

/** Prints `text()` after the describe block's tests, when DRAINSIM_CALIBRATION_TABLE is set. */
export function printAfterAll(text: () => string): void {
  afterAll(() => {
    if (!process.env.DRAINSIM_CALIBRATION_TABLE) return;
    process.stdout.write(text());
  });
}
