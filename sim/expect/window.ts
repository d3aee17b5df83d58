/**
 * Timeline windows: which samples of one series and entity an assertion reads, how they
 * aggregate, and which sample a failure is pinned to.
 *
 * A counter sample at time t counts what happened in (t - interval, t]; it belongs to a window
 * when that interval overlaps the window. A gauge sample is the value at t; it belongs when t lies
 * inside the window. So `max(reset_out) over [2m, 3m]` with 1 s samples reads the rows 121 … 180
 * and `max(active_conn) over [2m, 3m]` the rows 120 … 180.
 */
import type { SeriesKind, Timeline } from '../result.js';
import { type Comparison, missDirection } from './comparison.js';

export const WINDOW_AGGS = ['max', 'min', 'mean', 'sum', 'first', 'last'] as const;
export type WindowAgg = (typeof WINDOW_AGGS)[number];

/** One entity's samples of one series, in time order. */
export interface Samples {
  kind: SeriesKind;
  interval: number;
  t: number[];
  v: number[];
}

/** The timeline rows of one entity, in time order. */
export function entityRows(tl: Timeline, entityIndex: number): number[] {
  const rows: number[] = [];
  // Taken once: a spilled timeline's columns are getters (metrics/spilled-timeline.ts).
  const t = tl.t;
  const entity = tl.entity;
  for (let r = 0; r < t.length; r++) if (entity[r] === entityIndex) rows.push(r);
  return rows.sort((a, b) => t[a]! - t[b]!);
}

export function seriesSamples(tl: Timeline, seriesIndex: number, entityIndex: number): Samples {
  const rows = entityRows(tl, entityIndex);
  const column = tl.values[seriesIndex]!;
  const t = tl.t;
  return {
    kind: tl.series[seriesIndex]!.kind,
    interval: tl.interval,
    t: rows.map((r) => t[r]!),
    v: rows.map((r) => column[r]!),
  };
}

/** Tolerance for float noise in sample times (k * interval accumulates none, but sums might). */
const EPS = 1e-9;

function inWindow(s: Samples, t: number, from: number, to: number): boolean {
  if (s.kind === 'counter') return t > from + EPS && t - s.interval < to - EPS;
  return t >= from - EPS && t <= to + EPS;
}

export function selectWindow(s: Samples, from: number, to: number): Samples {
  const keep = s.t.map((t) => inWindow(s, t, from, to));
  return { ...s, t: s.t.filter((_, i) => keep[i]), v: s.v.filter((_, i) => keep[i]) };
}

/**
 * The sample that holds the value at time `at`: for a counter the one whose interval contains it,
 * for a gauge the latest taken at or before it. -1 when there is none.
 */
export function sampleIndexAt(s: Samples, at: number): number {
  if (s.kind === 'counter') return s.t.findIndex((t) => t >= at - EPS && t > EPS);
  let found = -1;
  for (let i = 0; i < s.t.length && s.t[i]! <= at + EPS; i++) found = i;
  return found;
}

/** Index of the first largest (or smallest) value. */
function extremeIndex(v: readonly number[], largest: boolean): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (largest ? v[i]! > v[best]! : v[i]! < v[best]!) best = i;
  return best;
}

export function aggregate(agg: WindowAgg, v: readonly number[]): number {
  switch (agg) {
    case 'max':
      return v[extremeIndex(v, true)]!;
    case 'min':
      return v[extremeIndex(v, false)]!;
    case 'first':
      return v[0]!;
    case 'last':
      return v[v.length - 1]!;
    case 'sum':
      return v.reduce((a, b) => a + b, 0);
    case 'mean':
      return v.reduce((a, b) => a + b, 0) / v.length;
  }
}

/**
 * The sample a failed check on `agg` is pinned to: the one that gave the value (max, min, first,
 * last); for a sum that came out too high, the sample at which the running sum first went too high
 * (for `errors.total == 0`, the first error); for a mean, the most extreme sample on the failing side.
 */
export function pinIndex(agg: WindowAgg, v: readonly number[], check: Comparison, actual: number): number {
  const direction = missDirection(check, actual);
  switch (agg) {
    case 'max':
      return extremeIndex(v, true);
    case 'min':
      return extremeIndex(v, false);
    case 'first':
      return 0;
    case 'last':
      return v.length - 1;
    case 'sum': {
      if (direction !== 'high') return v.length - 1;
      let partial = 0;
      for (let i = 0; i < v.length; i++) {
        partial += v[i]!;
        if (missDirection(check, partial) === 'high') return i;
      }
      return v.length - 1;
    }
    case 'mean':
      return direction === 'none' ? 0 : extremeIndex(v, direction === 'high');
  }
}
