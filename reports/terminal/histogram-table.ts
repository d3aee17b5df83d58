/** Histograms as count and p50/p95/p99/max, durations where the name says seconds. */
import type { RunResult } from '../../sim/result.js';
import { colorize } from '../colorize.js';
import type { ConsoleContext } from '../writer.js';
import { formatNumber, formatValue } from './format.js';
import { INDENT } from './layout.js';

const HEADER = ['', 'count', 'p50', 'p95', 'p99', 'max'];

export function histogramLines(result: RunResult, ctx: ConsoleContext): string[] {
  const names = Object.keys(result.histograms).sort();
  if (names.length === 0) return [];
  const rows = names.map((name) => {
    const h = result.histograms[name]!;
    return [name, formatNumber(h.count), ...[h.p50, h.p95, h.p99, h.max].map((v) => formatValue(name, v))];
  });
  const widths = HEADER.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  // Names left-aligned, numbers right-aligned.
  const line = (cells: string[]): string =>
    INDENT + cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [colorize('Histograms', 'bold', ctx.color), colorize(line(HEADER), 'dim', ctx.color), ...rows.map(line)];
}
