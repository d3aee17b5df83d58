/** How numbers read in the terminal summary. Files keep raw numbers; only the terminal prettifies. */
import { holdsSeconds } from '../../sim/expect/figure-unit.js';
import { formatDuration } from '../../sim/scenario/units.js';
// Trace explanations (sim/trace/catalog.ts) write numbers the same way; the simulator never imports reports/.
import { formatNumber } from '../../sim/util/format-number.js';

export { formatNumber };

/**
 * Whether a figure or histogram holds seconds. One rule for the whole tool: the one assertions use
 * to demand a unit (sim/expect/figure-unit.ts), so `app_pause.p99` and `drain.vm-a.started_at`
 * read as durations here too.
 */
export const isSecondsKey: (name: string) => boolean = holdsSeconds;

/** A value formatted by what its name says it measures. */
export function formatValue(name: string, value: number): string {
  if (isSecondsKey(name) && Number.isFinite(value)) return formatDuration(value);
  return formatNumber(value);
}
