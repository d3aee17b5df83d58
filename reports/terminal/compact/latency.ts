/** Histograms that recorded anything, as a table: percentiles with units, seconds as durations. */
import type { RunResult } from '../../../sim/result.js';
import { formatDuration } from '../../../sim/scenario/units.js';
import { formatNumber } from '../../../sim/util/format-number.js';
import { isSecondsKey } from '../format.js';

/** Three significant digits are what a latency table needs: 56.4ms, 1.14s, 2h 43m. */
export function shortValue(name: string, x: number): string {
  if (!isSecondsKey(name) || !Number.isFinite(x)) return formatNumber(x);
  if (x >= 3600) return formatDuration(Math.round(x / 60) * 60);
  if (x >= 60) return formatDuration(Math.round(x));
  return formatDuration(Number(x.toPrecision(3)));
}

const COLUMNS = ['p50', 'p95', 'p99', 'max', 'count'] as const;

/** The section title with the column heads on it, and one row per histogram. */
export function latencyTable(result: RunResult, indent: string): { title: string; rows: string[] } {
  const names = Object.keys(result.histograms)
    .filter((n) => result.histograms[n]!.count > 0)
    .sort();
  if (names.length === 0) return { title: 'Latency', rows: [] };
  const cells = names.map((name) => {
    const h = result.histograms[name]!;
    return [name, ...[h.p50, h.p95, h.p99, h.max].map((x) => shortValue(name, x)), formatNumber(h.count)];
  });
  const widths = [0, ...COLUMNS.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i + 1]!.length)))];
  widths[0] = Math.max(...cells.map((r) => r[0]!.length));
  const line = (r: readonly string[]): string =>
    indent + r.map((c, i) => (i === 0 ? c.padEnd(widths[0]!) : c.padStart(widths[i]!))).join('  ');
  // The column heads sit on the title line, right of the name column.
  const heads = line(['', ...COLUMNS]).slice(indent.length + widths[0]!);
  return { title: `${'Latency'.padEnd(indent.length + widths[0]!)}${heads}`, rows: cells.map(line) };
}
