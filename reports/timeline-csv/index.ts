/**
 * timeline.csv: one row per sample interval and entity, backends in the timeline's order and
 * `total` last within each sample. Columns: `t_s` (sample end, simulated seconds), `time`
 * (wall clock of the sample end), `entity`, then one column per series in the timeline's order.
 */
import { stringify } from 'csv-stringify/sync';
import type { RunResult, Timeline } from '../../sim/result.js';
import { roundNumber } from '../round-for-output.js';
import { wallClock } from '../wall-clock.js';
import type { FileReport } from '../writer.js';

/** Row indices by (sample time, entity order): the published order, whatever order rows were stored in. */
function rowOrder(timeline: Timeline): number[] {
  const rows = Array.from(timeline.t, (_, i) => i);
  return rows.sort((a, b) => {
    const dt = (timeline.t[a] as number) - (timeline.t[b] as number);
    return dt !== 0 ? dt : (timeline.entity[a] as number) - (timeline.entity[b] as number);
  });
}

export function renderTimelineCsv(result: RunResult): string {
  const { timeline } = result;
  const clock = wallClock(result.start);
  const header = ['t_s', 'time', 'entity', ...timeline.series.map((s) => s.name)];
  const rows = rowOrder(timeline).map((r) => {
    const t = timeline.t[r] as number;
    const entity = timeline.entities[timeline.entity[r] as number];
    if (entity === undefined) {
      throw new Error(`timeline row ${r} names entity index ${timeline.entity[r]}, which does not exist`);
    }
    // null (a non-finite value) becomes an empty cell.
    const values = timeline.values.map((column) => roundNumber(column[r] as number));
    return [roundNumber(t), clock.at(t), entity, ...values];
  });
  return stringify([header, ...rows]);
}

export const timelineCsv: FileReport = {
  name: 'timeline-csv',
  fileName: 'timeline.csv',
  render: renderTimelineCsv,
};
