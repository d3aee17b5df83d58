/**
 * timeline.csv: one row per sample interval and entity, backends in the timeline's order and
 * `total` last within each sample. Columns: `t_s` (sample end, simulated seconds), `time`
 * (wall clock of the sample end), `entity`, then one column per series in the timeline's order.
 *
 * Written in chunks of rows (see FileReport.chunks): a 24 h timeline at 1 s samples is ~350,000
 * rows, which as one string (and as csv-stringify's arrays of cells before that) would be the
 * largest thing in memory at the end of a long run.
 */
import type { RunResult, Timeline } from '../../sim/result.js';
import { csvRecord } from '../csv-cell.js';
import { roundNumber } from '../round-for-output.js';
import { wallClock } from '../wall-clock.js';
import type { FileReport } from '../writer.js';

/** Rows per chunk: ~100-300 kB of text. */
const ROWS_PER_CHUNK = 1_000;

/** Row indices by (sample time, entity order): the published order, whatever order rows were stored in. */
function rowOrder(timeline: Timeline): Int32Array {
  const rows = Int32Array.from(timeline.t, (_, i) => i);
  const before = (a: number, b: number) => {
    const dt = (timeline.t[a] as number) - (timeline.t[b] as number);
    return dt !== 0 ? dt : (timeline.entity[a] as number) - (timeline.entity[b] as number);
  };
  // Rows are normally stored in this order already: one pass instead of a comparator sort, the
  // same order either way (a sorted array is its own stable sort).
  for (let i = 1; i < rows.length; i++) if (before(i - 1, i) > 0) return rows.sort(before);
  return rows;
}

export function* timelineCsvChunks(result: RunResult): Generator<string> {
  const { timeline } = result;
  const clock = wallClock(result.start);
  yield csvRecord(['t_s', 'time', 'entity', ...timeline.series.map((s) => s.name)]);
  const order = rowOrder(timeline);
  const cells: (string | number | null)[] = new Array(3 + timeline.values.length);
  let chunk = '';
  for (let i = 0; i < order.length; i++) {
    const r = order[i]!;
    const t = timeline.t[r] as number;
    const entity = timeline.entities[timeline.entity[r] as number];
    if (entity === undefined) {
      throw new Error(`timeline row ${r} names entity index ${timeline.entity[r]}, which does not exist`);
    }
    cells[0] = roundNumber(t);
    cells[1] = clock.at(t);
    cells[2] = entity;
    // null (a non-finite value) becomes an empty cell.
    for (let s = 0; s < timeline.values.length; s++) cells[3 + s] = roundNumber(timeline.values[s]![r] as number);
    chunk += csvRecord(cells);
    if ((i + 1) % ROWS_PER_CHUNK === 0) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

export function renderTimelineCsv(result: RunResult): string {
  return [...timelineCsvChunks(result)].join('');
}

export const timelineCsv: FileReport = {
  name: 'timeline-csv',
  fileName: 'timeline.csv',
  render: renderTimelineCsv,
  chunks: timelineCsvChunks,
};
