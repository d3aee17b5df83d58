/**
 * The Timeline of a run whose rows went to a spill file (column-store.ts): the same interface as
 * one held in memory, its columns read back when a reader asks for them.
 *
 * - `t` and `entity`: read once, on first use, then kept (every reader walks them), each in the
 *   narrowest array that holds it (whole-second sample times: 4 bytes a row, not 8).
 * - `values[s]` and `busiestSecond[name]`: read on each access of another column, into one
 *   buffer (column.ts reusedBuffer): a column is valid until another column of the same kind
 *   (`values` or `busiestSecond`) is accessed. Every reader takes a column, walks it or copies
 *   what it needs, then takes the next (figures.ts, the chart reader, expectations, explain, the
 *   failure report). One that held two at once would not get an error but wrong values: the
 *   first becomes a view over the second's bytes (possibly as another array type).
 * - `blocks()`: every column a block at a time, for readers that walk every row (timeline.csv);
 *   each column's block is read into that column's one buffer, valid until the next block.
 */
import type { SeriesMeta, Timeline, TimelineBlock, TimelineColumn } from '../result.js';
import { reusedBuffer } from './column.js';
import type { ColumnStore } from './column-store.js';

/** Column indices in the rows' store: time, entity, then the series in order. */
export const TIME_COLUMN = 0;
export const ENTITY_COLUMN = 1;
export const FIRST_SERIES_COLUMN = 2;

/** An array of `count` columns, each read when accessed into one buffer (see the file comment). */
function columnsReadOnAccess(
  count: number,
  read: (i: number, into: ReturnType<typeof reusedBuffer>) => TimelineColumn,
): TimelineColumn[] {
  const buffer = reusedBuffer();
  let heldIndex = -1;
  let held: TimelineColumn | null = null;
  const get = (i: number): TimelineColumn => {
    if (heldIndex !== i) {
      held = read(i, buffer);
      heldIndex = i;
    }
    return held!;
  };
  const out = new Array<TimelineColumn>(count);
  for (let i = 0; i < count; i++) Object.defineProperty(out, i, { enumerable: true, get: () => get(i) });
  return out;
}

export function spilledTimeline(
  meta: { interval: number; entities: string[]; series: SeriesMeta[] },
  rows: ColumnStore,
  busiest: { store: ColumnStore; counters: readonly (readonly [name: string, column: number])[] },
): Timeline {
  let t: TimelineColumn | null = null;
  let entity: TimelineColumn | null = null;
  const values = columnsReadOnAccess(meta.series.length, (s, into) => rows.read(FIRST_SERIES_COLUMN + s, into));
  const busiestColumns = columnsReadOnAccess(busiest.counters.length, (k, into) =>
    busiest.store.read(busiest.counters[k]![1], into),
  );
  const busiestSecond: Record<string, ArrayLike<number>> = {};
  busiest.counters.forEach(([name], k) => {
    Object.defineProperty(busiestSecond, name, { enumerable: true, get: () => busiestColumns[k] });
  });
  const timeline: Timeline = {
    interval: meta.interval,
    entities: meta.entities,
    series: meta.series,
    get t(): TimelineColumn {
      t ??= rows.read(TIME_COLUMN);
      return t;
    },
    get entity(): TimelineColumn {
      entity ??= rows.read(ENTITY_COLUMN);
      return entity;
    },
    values,
    busiestSecond,
  };
  // Not enumerable: a copy of the timeline ({ ...timeline, values: other }) must not keep it.
  Object.defineProperty(timeline, 'blocks', { enumerable: false, value: () => blocksOf(rows, meta.series.length) });
  return timeline;
}

function* blocksOf(rows: ColumnStore, seriesCount: number): Generator<TimelineBlock> {
  // One buffer per column for every block: a day's timeline read back block by block allocates
  // ~1 MB a block otherwise (see column.ts reusedBuffer).
  const buffers = Array.from({ length: FIRST_SERIES_COLUMN + seriesCount }, () => reusedBuffer());
  const read = (i: number, k: number): TimelineColumn => rows.readBlock(i, k, buffers[i]);
  for (let k = 0; k < rows.blockCount; k++) {
    const values: TimelineColumn[] = [];
    for (let s = 0; s < seriesCount; s++) values.push(read(FIRST_SERIES_COLUMN + s, k));
    yield { t: read(TIME_COLUMN, k), entity: read(ENTITY_COLUMN, k), values };
  }
}
