/** How numbers read in the terminal summary. Files keep raw numbers; only the terminal prettifies. */
import { formatDuration } from '../../sim/scenario/units.js';

/**
 * Whether a figure or histogram holds seconds, judged by its name (the last dotted segment):
 * `_s`, `latency`, `lifetime`, `age`, `duration` — but not a rate such as `peak_per_s`.
 */
export function isSecondsKey(name: string): boolean {
  const last = name.slice(name.lastIndexOf('.') + 1);
  if (last.endsWith('_per_s')) return false;
  return /(_s|latency|lifetime|age|duration)$/.test(last);
}

// Trace explanations (sim/trace/catalog.ts) write numbers the same way; the simulator never imports reports/.
import { formatNumber } from '../../sim/util/format-number.js';

export { formatNumber };

/** A value formatted by what its name says it measures. */
export function formatValue(name: string, value: number): string {
  if (isSecondsKey(name) && Number.isFinite(value)) return formatDuration(value);
  return formatNumber(value);
}
