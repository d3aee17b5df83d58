/**
 * What a finished run hands to report writers and to expectation checks. Reports read only this;
 * they never reach into the model.
 */
import type { TraceRecord } from './trace/records.js';

/** How a timeline series is sampled: a counter reports what happened during the interval, a gauge
 * the value at the end of it. */
export type SeriesKind = 'counter' | 'gauge';

export interface SeriesMeta {
  /** Column name in timeline.csv, e.g. `reset_out`, `time_wait`. */
  name: string;
  kind: SeriesKind;
  unit: string;
  description: string;
}

/** The sampled timeline in column form: `values[s][r]` is series s at row r. Typed columns: 8
 *  bytes a number and nothing for the garbage collector to trace, whatever the horizon. */
/** A timeline column: the narrowest typed array that holds its values exactly (metrics/column.ts). */
export type TimelineColumn = Float64Array | Int32Array | Uint16Array | Uint8Array;

export interface Timeline {
  /** Sample interval in seconds. */
  interval: number;
  /** Entities in row order; the last one is always `total`. */
  entities: string[];
  series: SeriesMeta[];
  /** Sample end time (simulated seconds since start) of each row (a spilled timeline's in the
   *  narrowest array that holds them exactly, as its columns). */
  t: Float64Array | TimelineColumn;
  /** Entity index of each row (a spilled timeline's in the narrowest array, as its columns). */
  entity: TimelineColumn;
  values: TimelineColumn[];
  /**
   * Per counter, by name, per sample (the total row's order): the most counted in one second of
   * the sample's interval. The largest is the counter's `peak_per_s` figure; absent in hand-made
   * timelines, where readers fall back to the sample divided by the interval. Not in timeline.csv.
   */
  busiestSecond?: Record<string, ArrayLike<number>>;
  /**
   * Present when the rows were moved to a spill file as the run went (metrics/column-store.ts:
   * a long run's timeline past the in-memory bound): every column a block of rows at a time, in
   * row order, for readers that walk every row (timeline.csv). Such a timeline's rows are always
   * in time order; its `values[s]` (and `busiestSecond[name]`) read a column back on access into
   * one reused buffer: valid until the next access of another column, so take a column, use it or
   * copy from it, then take the next (metrics/spilled-timeline.ts).
   */
  blocks?: () => Iterable<TimelineBlock>;
}

/** Consecutive rows of a timeline, every column: `values[s][i]` is series s at the block's row i. */
export interface TimelineBlock {
  t: ArrayLike<number>;
  entity: ArrayLike<number>;
  values: ArrayLike<number>[];
}

/**
 * Values of the `pool_state` gauge: the LB pool state of a backend, named as in the seed series
 * (HAProxy: ready / drain / maint). model/lb/pool.ts's PoolState uses these indices.
 */
export const POOL_STATE_NAMES = ['BOUND', 'DRAINING', 'DETACHED'] as const;

/** What a deploy's drain gate observed; figures and tests read it. */
export interface DrainRecord {
  backend: string;
  startedAt: number;
  activeAtStart: number;
  wsSessionsAtStart: number;
  wsAvgAgeAtStart: number;
  completedAt: number | null;
  timedOut: boolean;
  activeAtEnd: number;
}

export interface LogLine {
  /** Simulated seconds since start. */
  t: number;
  /** Component in brackets in the log: lb, nginx, app, deploy, kernel, client, hc, k8s. */
  source: string;
  /** The operator's line, written from the record by sim/trace/catalog.ts. */
  text: string;
  /** What the model recorded; for a fold, the last of the repeats it stands for. Read this, not
   * the text. */
  record: TraceRecord;
  /** Repeats folded into this line besides its own record ("(N more like this in this second)":
   *  the line stands for 1 + N records), else 0. */
  folded: number;
}

/** count, mean and max are exact; p50/p95/p99 are nearest-rank to 3 significant digits (an HDR
 *  histogram: at most 0.1 % above the exact value, never outside the recorded range). */
export interface HistogramSummary {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface ExpectationResult {
  /** The assertion as written in the scenario file. */
  text: string;
  passed: boolean;
  actual: number | null;
  /** The value is in seconds (a latency, a drain time): printed as a duration, `159.7ms`, where
   *  people read it; summary.json keeps the number. */
  inSeconds?: boolean;
  /** Simulated time the failure is pinned to, when the assertion is about a window. */
  at?: number;
  message?: string;
}

export interface RunResult {
  scenario: { name: string; file: string; description: string };
  seed: number;
  version: string;
  /** Wall-clock label of simulated time 0, e.g. `14:00:00`. */
  start: string;
  /** Simulated seconds the run covered. */
  horizon: number;
  /** The fully resolved scenario (every default filled in). */
  resolved: unknown;
  /** Key figures by dotted name, e.g. `errors.total`, `reset_out.peak_per_s`; null when the
   * figure has no value in this run (e.g. a drain that never completed). */
  figures: Record<string, number | null>;
  histograms: Record<string, HistogramSummary>;
  timeline: Timeline;
  events: LogLine[];
  expectations: ExpectationResult[];
  /** Number of engine events fired (deterministic; wall time is not part of a result). */
  engineEvents: number;
}
