/**
 * sweep-summary.csv: one row per grid point and figure (long form, so any plotting tool can
 * filter it): the varied parameters, the figure, how many seeds gave it a value, the mean with
 * its 95 % confidence interval, and p50/p95/p99/min/max as order statistics over the seeds.
 */
import { stringify } from 'csv-stringify/sync';
import { roundNumber } from '../../reports/round-for-output.js';
import type { PointSummary } from './summarize.js';
import { csvCell } from './sweep-csv.js';
import type { SweepData } from './types.js';

const STAT_COLUMNS = ['n', 'mean', 'ci95_low', 'ci95_high', 'p50', 'p95', 'p99', 'min', 'max'];

export function renderSummaryCsv(data: SweepData, summary: readonly PointSummary[]): string {
  const header = ['scenario', ...data.spec.vary.map((v) => v.path), 'figure', ...STAT_COLUMNS];
  const rows: unknown[][] = [];
  for (const { point, stats } of summary) {
    const params = data.points[point]!.resolved.map(csvCell);
    for (const [figure, s] of stats) {
      const numbers =
        s === null
          ? [0, ...STAT_COLUMNS.slice(1).map(() => null)]
          : [s.n, s.mean, s.ci95Low, s.ci95High, s.p50, s.p95, s.p99, s.min, s.max];
      rows.push([data.name, ...params, figure, ...numbers.map((v) => (v === null ? null : roundNumber(v)))]);
    }
  }
  return stringify([header, ...rows]);
}
