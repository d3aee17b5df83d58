/**
 * Column access to a timeline for the charts of report.html: one series of one entity, indexed by
 * sample (the `total` rows' times, in order).
 *
 * Memory (issue 14: a long run's peak RSS): a day at 1 s samples is 86,400 samples. A Map from
 * sample time to index held 86,400 boxed keys (a few MB), and a fresh 86,400-number array for
 * every (series, entity) read (~230 of them for the generated charts' zero test alone) made
 * report.html's rendering the peak of the whole `drainsim run`: ~19 MB above the finished run.
 * Rows are stored in time order, so a read walks rows and samples in step (no index per row), and
 * fills one buffer that the next read reuses. `tl.t` and `tl.entity` are taken once per walk, not
 * per row: a spilled timeline (Timeline.blocks) reads them back through a getter.
 */
import type { Timeline } from '../../sim/result.js';

export interface TimelineColumns {
  /** Sample times: each distinct time of a `total` row, in the order they first appear. */
  t: number[];
  /**
   * Series `s` of entity `e`, one value per sample (0 where the entity has no row at that time).
   * The array is the reader's buffer: valid until the next `read`, never to be kept.
   */
  read: (s: number, e: number) => readonly number[];
}

export function timelineColumns(tl: Timeline): TimelineColumns {
  const t = isInTimeOrder(tl.t) ? sampleTimesInOrder(tl) : null;
  const { read, samples } = t === null ? readByLookup(tl) : { read: readInOrder(tl, t), samples: t };
  return { t: samples, read };
}

/** Every row's time at or after the one before (NaN fails, and takes the lookup path). */
function isInTimeOrder(times: ArrayLike<number>): boolean {
  for (let r = 1; r < times.length; r++) if (!(times[r]! >= times[r - 1]!)) return false;
  return true;
}

/** Rows in time order: the `total` rows' times ascend, so equal ones are adjacent. */
function sampleTimesInOrder(tl: Timeline): number[] {
  const total = tl.entities.length - 1;
  const times = tl.t;
  const entity = tl.entity;
  const t: number[] = [];
  for (let r = 0; r < times.length; r++) {
    const time = times[r]!;
    if (entity[r] === total && (t.length === 0 || t[t.length - 1] !== time)) t.push(time);
  }
  return t;
}

/** Rows in time order: each read walks rows and samples in step (no per-row index kept). */
function readInOrder(tl: Timeline, t: readonly number[]): TimelineColumns['read'] {
  const buffer = new Array<number>(t.length).fill(0);
  return (s, e) => {
    buffer.fill(0);
    const column = tl.values[s] ?? [];
    const times = tl.t;
    const entity = tl.entity;
    let i = 0;
    for (let r = 0; r < times.length; r++) {
      const time = times[r]!;
      while (i < t.length && t[i]! < time) i++;
      if (entity[r] === e && i < t.length && t[i] === time) buffer[i] = column[r] ?? 0;
    }
    return buffer;
  };
}

/** Any row order (a hand-made timeline): sample times by first appearance, looked up by value. */
function readByLookup(tl: Timeline): { samples: number[]; read: TimelineColumns['read'] } {
  const total = tl.entities.length - 1;
  const samples: number[] = [];
  const index = new Map<number, number>();
  tl.t.forEach((time, r) => {
    if (tl.entity[r] === total && !index.has(time)) {
      index.set(time, samples.length);
      samples.push(time);
    }
  });
  const sampleOf = new Int32Array(tl.t.length);
  tl.t.forEach((time, r) => {
    sampleOf[r] = index.get(time) ?? -1;
  });
  const buffer = new Array<number>(samples.length).fill(0);
  const read = (s: number, e: number): readonly number[] => {
    buffer.fill(0);
    const column = tl.values[s] ?? [];
    const entity = tl.entity;
    for (let r = 0; r < sampleOf.length; r++) {
      const i = sampleOf[r]!;
      if (entity[r] === e && i >= 0) buffer[i] = column[r] ?? 0;
    }
    return buffer;
  };
  return { samples, read };
}
