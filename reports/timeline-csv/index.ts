/**
 * timeline.csv: one row per sample interval and entity, backends in the timeline's order and
 * `total` last within each sample. Columns: `t_s` (sample end, simulated seconds), `time`
 * (wall clock of the sample end), `entity`, then one column per series in the timeline's order.
 *
 * Written in chunks of rows (see FileReport.chunks): a 24 h timeline at 1 s samples is ~350,000
 * rows, which as one string (and as csv-stringify's arrays of cells before that) would be the
 * largest thing in memory at the end of a long run. A timeline whose rows were spilled to disk
 * during the run (Timeline.blocks) is read back a block of rows at a time, so the whole timeline
 * is never in memory either.
 */
import type { RunResult, Timeline, TimelineBlock } from '../../sim/result.js';
import { csvRecord } from '../csv-cell.js';
import { roundNumber } from '../round-for-output.js';
import { wallClock } from '../wall-clock.js';
import type { FileReport } from '../writer.js';

/**
 * Rows per chunk: ~20-60 kB of text. Below V8's large-object size (128 kB), so a chunk is young
 * garbage gone at the next scavenge, not old-generation garbage that waits for a full GC (a day's
 * timeline.csv is ~55 MB of text: issue 14, the 24 h steady run's peak RSS).
 */
const ROWS_PER_CHUNK = 200;

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

/** The rows in published order, as blocks with the order of their rows (null: as stored). */
function* orderedBlocks(timeline: Timeline): Generator<{ block: TimelineBlock; order: Int32Array | null }> {
  if (timeline.blocks === undefined) {
    yield { block: timeline, order: rowOrder(timeline) };
    return;
  }
  // Spilled rows are written in time order by construction (metrics.ts samples in time order);
  // checked, since a block cannot be sorted into the ones already written.
  let lastT = -Infinity;
  let lastEntity = -Infinity;
  for (const block of timeline.blocks()) {
    for (let i = 0; i < block.t.length; i++) {
      const t = block.t[i]!;
      const entity = block.entity[i]!;
      if (!(t > lastT || (t === lastT && entity > lastEntity))) {
        throw new Error(`spilled timeline row at t=${t} (entity ${entity}) is out of time order`);
      }
      lastT = t;
      lastEntity = entity;
    }
    yield { block, order: null };
  }
}

export function* timelineCsvChunks(result: RunResult): Generator<string> {
  const { timeline } = result;
  const clock = wallClock(result.start);
  yield csvRecord(['t_s', 'time', 'entity', ...timeline.series.map((s) => s.name)]);
  const cells: (string | number | null)[] = new Array(3 + timeline.values.length);
  let chunk = '';
  let written = 0;
  for (const { block, order } of orderedBlocks(timeline)) {
    const { values } = block;
    const rows = order === null ? block.t.length : order.length;
    for (let i = 0; i < rows; i++) {
      const r = order === null ? i : order[i]!;
      const t = block.t[r] as number;
      const entity = timeline.entities[block.entity[r] as number];
      if (entity === undefined) {
        throw new Error(`timeline row ${r} names entity index ${block.entity[r]}, which does not exist`);
      }
      cells[0] = roundNumber(t);
      cells[1] = clock.at(t);
      cells[2] = entity;
      // null (a non-finite value) becomes an empty cell.
      for (let s = 0; s < values.length; s++) cells[3 + s] = roundNumber(values[s]![r] as number);
      chunk += csvRecord(cells);
      if (++written % ROWS_PER_CHUNK === 0) {
        yield chunk;
        chunk = '';
      }
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
