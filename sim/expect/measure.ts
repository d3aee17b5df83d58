/**
 * What one assertion measures in one run, once its names are known to exist (bind.ts), and how to
 * read it from a RunResult: the value and, for a failure, the simulated time to show.
 */

import { roundNumber } from '../../reports/round-for-output.js';
import type { RunResult, Timeline } from '../result.js';
import { type Comparison, holds } from './comparison.js';
import {
  aggregate,
  pinIndex,
  type Samples,
  sampleIndexAt,
  selectWindow,
  seriesSamples,
  type WindowAgg,
} from './window.js';

export const HISTOGRAM_STATS = ['p50', 'p95', 'p99', 'max', 'mean', 'count'] as const;
export type HistogramStat = (typeof HISTOGRAM_STATS)[number];

/** A timeline column for one entity (`total` for the sum over backends). */
export interface SeriesRef {
  series: string;
  entity: string;
}

export type Measure =
  | { kind: 'figure'; name: string }
  | { kind: 'histogram'; name: string; stat: HistogramStat }
  | { kind: 'window'; agg: WindowAgg; ref: SeriesRef; from: number; to: number }
  | { kind: 'value-at'; ref: SeriesRef; t: number };

export interface Reading {
  /** Rounded as summary.json publishes it, so a value copied from there compares equal; null when the run has none. */
  value: number | null;
  /** Simulated time of the sample a failure is pinned to. */
  at?: number;
  /** Why there is no value, or something worth knowing about it. */
  note?: string;
}

/** The timeline column a measure reads, if any (failure reports show it). */
export function seriesOf(measure: Measure, timeline: Timeline): SeriesRef | undefined {
  if (measure.kind === 'window' || measure.kind === 'value-at') return measure.ref;
  if (measure.kind === 'figure') return figureSource(measure.name, timeline)?.ref ?? drainOf(measure.name, timeline);
  return undefined;
}

/** `drain.<backend>.<x>` figures are about that backend's connections draining away. */
function drainOf(name: string, timeline: Timeline): SeriesRef | undefined {
  const m = /^drain\.(.+)\.[a-z_]+$/.exec(name);
  return m !== null && timeline.entities.includes(m[1]!) ? { series: 'active_conn', entity: m[1]! } : undefined;
}

/**
 * The moment a failed drain figure is about: for `completed_within <= 5m`, the 5-minute mark (when
 * the drain should have been over; also when it never completed); otherwise the drain's start.
 */
function drainPin(name: string, run: RunResult, check: Comparison): number | undefined {
  const m = /^(drain\..+)\.([a-z_]+)$/.exec(name);
  const started = m === null ? undefined : run.figures[`${m[1]}.started_at`];
  if (m === null || started === undefined || started === null) return undefined;
  if (m[2] !== 'completed_within' || check.kind !== 'compare') return started;
  const deadline = check.expected.value;
  const done = run.figures[name];
  const after = done === null || done === undefined ? deadline : Math.min(done, deadline);
  return Math.min(started + Math.max(0, after), run.horizon);
}

/** How figures.ts derives `[<entity>.]<series>.<suffix>` from the timeline. */
const FIGURE_SUFFIX_AGG: Record<string, WindowAgg> = { total: 'sum', peak_per_s: 'max', max: 'max', final: 'last' };

/** The series a figure is computed from, so a failing figure can be pinned to a sample. */
export function figureSource(name: string, timeline: Timeline): { ref: SeriesRef; agg: WindowAgg } | undefined {
  const parts = name.split('.');
  if (parts.length < 2) return undefined;
  const agg = FIGURE_SUFFIX_AGG[parts.at(-1)!];
  const series = parts.at(-2)!;
  const entity = parts.length === 2 ? 'total' : parts.slice(0, -2).join('.');
  if (agg === undefined || !timeline.series.some((s) => s.name === series) || !timeline.entities.includes(entity))
    return undefined;
  return { ref: { series, entity }, agg };
}

function samplesOf(ref: SeriesRef, tl: Timeline): Samples | undefined {
  const si = tl.series.findIndex((s) => s.name === ref.series);
  const ei = tl.entities.indexOf(ref.entity);
  return si < 0 || ei < 0 ? undefined : seriesSamples(tl, si, ei);
}

const NO_VALUE_HINTS: Record<string, string> = {
  completed_within: 'the drain never completed',
};

function figureReading(name: string, run: RunResult, check: Comparison): Reading {
  if (!(name in run.figures)) return { value: null, note: `this run has no figure '${name}'` };
  const raw = run.figures[name] ?? null;
  const value = raw === null ? null : roundNumber(raw);
  if (value === null) {
    const hint = NO_VALUE_HINTS[name.slice(name.lastIndexOf('.') + 1)];
    const note = `${name} has no value in this run${hint === undefined ? '' : `: ${hint}`}`;
    const at = drainPin(name, run, check);
    return at === undefined ? { value: null, note } : { value: null, note, at };
  }
  if (holds(check, value)) return { value };
  const pinned = drainPin(name, run, check);
  if (pinned !== undefined) return { value, at: pinned };
  const source = figureSource(name, run.timeline);
  const samples = source === undefined ? undefined : samplesOf(source.ref, run.timeline);
  if (source === undefined || samples === undefined || samples.v.length === 0) return { value };
  return { value, at: samples.t[pinIndex(source.agg, samples.v, check, value)] };
}

function histogramReading(name: string, stat: HistogramStat, run: RunResult): Reading {
  const h = run.histograms[name];
  if (h === undefined) return { value: null, note: `this run recorded no histogram '${name}'` };
  const value = roundNumber(h[stat]);
  return h.count === 0 ? { value, note: `histogram ${name} has no samples in this run` } : { value };
}

export function readMeasure(measure: Measure, run: RunResult, check: Comparison): Reading {
  switch (measure.kind) {
    case 'figure':
      return figureReading(measure.name, run, check);
    case 'histogram':
      return histogramReading(measure.name, measure.stat, run);
    case 'window': {
      const all = samplesOf(measure.ref, run.timeline);
      const s = all === undefined ? undefined : selectWindow(all, measure.from, measure.to);
      if (s === undefined || s.v.length === 0) return { value: null, note: 'no samples in the window in this run' };
      const value = roundNumber(aggregate(measure.agg, s.v));
      if (value === null || holds(check, value)) return { value };
      return { value, at: s.t[pinIndex(measure.agg, s.v, check, value)] };
    }
    case 'value-at': {
      const s = samplesOf(measure.ref, run.timeline);
      const i = s === undefined ? -1 : sampleIndexAt(s, measure.t);
      if (s === undefined || i < 0) return { value: null, note: 'no sample at that time in this run' };
      const value = roundNumber(s.v[i]!);
      return value === null || holds(check, value) ? { value } : { value, at: s.t[i] };
    }
  }
}
