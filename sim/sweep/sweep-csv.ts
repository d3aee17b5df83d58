/**
 * sweep.csv: one row per run, each row self-describing — scenario, seed, every varied parameter
 * as resolved (durations in seconds), the run's engine event count, then every figure (empty
 * when the run has no value for it). Rows in grid order, seeds in order within a point.
 */
import { stringify } from 'csv-stringify/sync';
import { roundNumber } from '../../reports/round-for-output.js';
import { figureNames } from './summarize.js';
import { type CellValue, type SweepData, taskOf } from './types.js';

export function renderSweepCsv(data: SweepData, figures: readonly string[] = figureNames(data)): string {
  const header = ['scenario', 'seed', ...data.spec.vary.map((v) => v.path), 'engine_events', ...figures];
  const rows = data.runs.map((run) => {
    const { point, seed } = taskOf(data.spec, run.task);
    const cells = figures.map((f) => {
      const v = run.figures[f];
      return v === undefined || v === null ? null : roundNumber(v);
    });
    return [data.name, seed, ...data.points[point]!.resolved.map(csvCell), run.engineEvents, ...cells];
  });
  return stringify([header, ...rows]);
}

/**
 * Numbers rounded like every drainsim output, so float noise never reaches a file; booleans
 * spelled out (csv-stringify would write true as 1 and false as an empty cell).
 */
export function csvCell(value: CellValue): CellValue {
  if (typeof value === 'boolean') return String(value);
  return typeof value === 'number' ? roundNumber(value) : value;
}
