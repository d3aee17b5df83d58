/**
 * More of what the blind held-out rounds (test/calibration/holdout9-21.test.ts) repeat around their
 * own rows, beside holdout-scaffold.ts: the test that every run of a round (or batch) is recorded,
 * its post-hoc re-runs of HAProxy recordings, and the printed table of its blind rows, with its
 * post-hoc rows where it has some. Each round
 * keeps in its own file its runs, blind commits, labels and gaps.
 */
import { expect, it } from 'vitest';
import { type Gap, type HeldOutRow, runOf } from './heldout-rows.js';
import {
  countsText,
  type HaproxyFigure,
  passedOf,
  printAfterAll,
  recordingsOf,
  rerunHaproxyRows,
  tableLines,
  tableText,
} from './holdout-scaffold.js';
import type { HaproxyRec8 } from './holdout8-figures.js';

/**
 * A test named `title`: the blind commit is set (`unset`: the message when it is not) and the rows
 * hold every run of `runs`, no other.
 */
export function everyRunRecordedTest(
  title: string,
  rows: HeldOutRow[],
  runs: string[],
  blind: string | null,
  unset: string,
): void {
  it(title, () => {
    expect(blind, unset).not.toBeNull();
    expect([...new Set(rows.map(runOf))].sort()).toEqual([...runs].sort());
  });
}

/** The blind rows' table and counts: `<table>\n\n<counts> (blind)\n`. */
export const blindTableText = (rows: HeldOutRow[], gaps: Record<string, Gap>): string =>
  `${tableText(rows, gaps)}\n\n${countsText(rows)} (blind)\n`;

/** Post-hoc rows (NOT blind), their gaps and the label that names them. */
export interface PostHoc {
  rows: () => HeldOutRow[];
  gaps: Record<string, Gap>;
  label: string;
}

/**
 * Prints after the describe block's tests (printAfterAll): the blind rows' table with the post-hoc
 * rows under it, then both counts (`… (blind); post-hoc (<label>): <n> of <m>`).
 */
export function printWithPostHoc(rows: HeldOutRow[], gaps: Record<string, Gap>, postHoc: PostHoc): void {
  printAfterAll(
    () =>
      `${tableText(rows, gaps)}\n${tableLines(postHoc.rows(), postHoc.gaps)}\n\n` +
      `${countsText(rows)} (blind); post-hoc (${postHoc.label}): ${passedOf(postHoc.rows())}\n`,
  );
}

/** Post-hoc rows, NOT blind (rerunHaproxyRows): the recorded runs of `runs` (HAProxy recordings as round 8's). */
export const rerunRecorded = (
  runs: string[],
  figuresOf: (run: string) => Array<HaproxyFigure<HaproxyRec8>> | undefined,
  label: string,
): HeldOutRow[] => rerunHaproxyRows(recordingsOf<HaproxyRec8>(runs), figuresOf, label);
