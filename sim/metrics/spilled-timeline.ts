/**
 * The Timeline of a run whose rows went to a spill file (column-store.ts): the same interface as
 * one held in memory, its columns read back when a reader asks for them.
 *
 * - `t` and `entity`: read once, on first use, then kept (every reader walks them).
 * - `values[s]` and `busiestSecond[name]`: read on each access of another column, one column
 *   held at a time (a reader takes a column, walks it, takes the next: figures.ts, the chart
 *   reader, expectations). A reader that takes several columns at once gets each read back anew.
 * - `blocks()`: every column a block at a time, for readers that walk every row (timeline.csv).
 */
import type { SeriesMeta, Timeline, TimelineBlock, TimelineColumn } from '../result.js';
import type { ColumnStore } from './column-store.js';

/** Column indices in the rows' store: time, entity, then the series in order. */
export const TIME_COLUMN = 0;
export const ENTITY_COLUMN = 1;
export const FIRST_SERIES_COLUMN = 2;

/** An array of `count` columns, each read when accessed; the last one read is held. */
function columnsReadOnAccess(count: number, read: (i: number) => TimelineColumn): TimelineColumn[] {
  let heldIndex = -1;
  let held: TimelineColumn | null = null;
  const get = (i: number): TimelineColumn => {
    if (heldIndex !== i) {
      held = null; // let the previous column go before reading the next
      held = read(i);
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
  let t: Float64Array | null = null;
  let entity: Int32Array | null = null;
  const values = columnsReadOnAccess(meta.series.length, (s) => rows.read(FIRST_SERIES_COLUMN + s));
  const busiestColumns = columnsReadOnAccess(busiest.counters.length, (k) =>
    busiest.store.read(busiest.counters[k]![1]),
  );
  const busiestSecond: Record<string, ArrayLike<number>> = {};
  busiest.counters.forEach(([name], k) => {
    Object.defineProperty(busiestSecond, name, { enumerable: true, get: () => busiestColumns[k] });
  });
  const timeline: Timeline = {
    interval: meta.interval,
    entities: meta.entities,
    series: meta.series,
    get t(): Float64Array {
      if (t === null) {
        const read = rows.read(TIME_COLUMN);
        t = read instanceof Float64Array ? read : Float64Array.from(read);
      }
      return t;
    },
    get entity(): Int32Array {
      entity ??= Int32Array.from(rows.read(ENTITY_COLUMN));
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
  for (let k = 0; k < rows.blockCount; k++) {
    const values: TimelineColumn[] = [];
    for (let s = 0; s < seriesCount; s++) values.push(rows.readBlock(FIRST_SERIES_COLUMN + s, k));
    yield { t: rows.readBlock(TIME_COLUMN, k), entity: rows.readBlock(ENTITY_COLUMN, k), values };
  }
}
