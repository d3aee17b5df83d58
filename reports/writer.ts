/**
 * The one interface every report format implements (after istanbul-reports' ReportBase).
 * Renderers are pure — a finished RunResult in, text out — so each format can be checked against
 * a golden file and so files can be written whole or not at all (into a temporary folder that
 * replaces the output folder only once every file is complete: reports/write-atomic.ts).
 */
import type { RunResult } from '../sim/result.js';

/** A report that becomes one file inside the output directory. */
export interface FileReport {
  name: string;
  /** File name inside the output directory, e.g. `summary.json`. */
  fileName: string;
  render(result: RunResult): string;
  /**
   * The same text in pieces, for files that grow with the simulated time (timeline.csv,
   * events.log): written as they are produced, so the whole text never sits in memory. Joined,
   * the pieces are exactly render()'s text.
   */
  chunks?(result: RunResult): Iterable<string>;
}

export interface ConsoleContext {
  color: boolean;
  /** Terminal columns available to the report. */
  width: number;
  /** Paths of the files this run wrote, in the order written; empty when none were. */
  written: readonly string[];
  /** Every figure, histogram and series instead of the ≤ 30-line summary (`--verbose`). */
  verbose?: boolean;
}

/** A report printed to stdout after the files are written. */
export interface ConsoleReport {
  name: string;
  render(result: RunResult, ctx: ConsoleContext): string;
}
