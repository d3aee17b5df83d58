import type { ExpectationResult } from '../result.js';
import { formatDuration } from '../scenario/units.js';
import { formatNumber } from '../util/format-number.js';

/**
 * An expectation's actual value as people read it, in the failure line, JUnit, markdown and the
 * reports: a duration when the value is in seconds (`actual 159.743ms · expected < 50ms`, not
 * `actual 0.159743`), else the number. summary.json keeps the number.
 */
export function actualText(e: ExpectationResult): string {
  if (e.actual === null) return 'no value';
  return e.inSeconds && Number.isFinite(e.actual) ? formatDuration(e.actual) : formatNumber(e.actual);
}
