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

/** Thousands grouped with commas and at most 3 decimals, independent of the machine's locale. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const [whole = '', fraction] = String(Number(value.toFixed(3)) || 0).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** A value formatted by what its name says it measures. */
export function formatValue(name: string, value: number): string {
  if (isSecondsKey(name) && Number.isFinite(value)) return formatDuration(value);
  return formatNumber(value);
}
