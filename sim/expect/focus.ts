/**
 * The timeline column an assertion is about, for failure reports that show the rows around the
 * moment it failed: `max(reset_out@vm-c) over …` → reset_out of vm-c; `vm-c.errors.total` → errors
 * of vm-c; `drain.vm-a.*` → active_conn of vm-a.
 */
import type { RunResult } from '../result.js';
import { bindAssertion } from './bind.js';
import { type SeriesRef, seriesOf } from './measure.js';
import { parseAssertion } from './syntax.js';

export function expectationSeries(run: RunResult, text: string): SeriesRef | undefined {
  try {
    return seriesOf(bindAssertion(parseAssertion(text), run).measure, run.timeline);
  } catch {
    // Only assertions that were already checked reach a failure report; a report is no place to fail.
    return undefined;
  }
}
