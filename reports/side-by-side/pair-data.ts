/**
 * The data of a side-by-side page: the same charts for two runs (a failure and its fix), on one
 * time axis (seconds since each run's start, labelled with the first run's clock), each pair on one
 * y scale so a height means the same on both sides.
 */
import type { RunResult } from '../../sim/result.js';
import { parseClock } from '../../sim/scenario/units.js';
import { buildCharts, type Chart } from '../html/chart-data.js';
import { samplesPerBucket } from '../html/decimate.js';
import { storySteps } from '../story-steps.js';
import { wallClock } from '../wall-clock.js';

export interface PairMark {
  t: number;
  clock: string;
  label: string;
  from: 'action' | 'orchestrator';
}

/** A chart of one side: its own marks; `yMax` shared with its partner. */
export interface SideChart extends Chart {
  marks: PairMark[];
  yMax: number;
}

export interface PairRow {
  id: string;
  title: string;
  unit: string;
  /** Undefined where that run has nothing to draw for this chart (all zero or not recorded). */
  a?: SideChart;
  b?: SideChart;
}

export interface PairData {
  startSeconds: number;
  t: number[];
  marks: PairMark[];
  charts: SideChart[];
  rows: PairRow[];
}

function marksOf(result: RunResult): PairMark[] {
  const clock = wallClock(result.start);
  return storySteps(result).map((s) => ({ t: s.t, clock: clock.at(s.t), label: s.label, from: s.from }));
}

/** Samples of a run's timeline: its rows of the `total` entity. */
function sampleCount(result: RunResult): number {
  const total = result.timeline.entities.length - 1;
  let n = 0;
  for (let r = 0; r < result.timeline.entity.length; r++) if (result.timeline.entity[r] === total) n++;
  return n;
}

function maxOf(chart: Chart | undefined): number {
  let max = 0;
  for (const s of chart?.series ?? []) {
    if (s.axis === 'left') for (const v of s.values) if (v !== null && v > max) max = v;
  }
  return max;
}

/** Values padded with nulls to the longer run's sample count. */
function padded(chart: Chart, length: number): Chart {
  const pad = (values: (number | null)[]): (number | null)[] =>
    values.length >= length ? values : [...values, ...new Array<null>(length - values.length).fill(null)];
  return { ...chart, series: chart.series.map((s) => ({ ...s, values: pad(s.values) })) };
}

/** Throws a plain-words Error when the two runs cannot share a time axis. */
export function pairData(a: RunResult, b: RunResult): PairData {
  if (a.timeline.interval !== b.timeline.interval) {
    throw new Error(
      `the two runs sample every ${a.timeline.interval} s and ${b.timeline.interval} s; one time axis needs the same sample_interval (e.g. --set sample_interval=${a.timeline.interval}s on the second)`,
    );
  }
  // One bucket size for both runs (decimate.ts), from the longer one, so that point i is the same
  // time on both sides.
  const bucket = samplesPerBucket(Math.max(sampleCount(a), sampleCount(b)));
  const setA = buildCharts(a.timeline, bucket);
  const setB = buildCharts(b.timeline, bucket);
  const t = setA.t.length >= setB.t.length ? setA.t : setB.t;
  const ids = [...setA.charts.map((c) => c.id), ...setB.charts.map((c) => c.id)].filter(
    (id, i, all) => all.indexOf(id) === i,
  );
  const marksA = marksOf(a);
  const marksB = marksOf(b);
  const rows: PairRow[] = [];
  const charts: SideChart[] = [];
  for (const id of ids) {
    const ca = setA.charts.find((c) => c.id === id);
    const cb = setB.charts.find((c) => c.id === id);
    const yMax = Math.max(maxOf(ca), maxOf(cb));
    const side = (c: Chart | undefined, prefix: string, marks: PairMark[]): SideChart | undefined =>
      c === undefined ? undefined : { ...padded(c, t.length), id: `${prefix}-${id}`, marks, yMax };
    const row: PairRow = { id, title: (ca ?? cb)!.title, unit: (ca ?? cb)!.unit };
    const sa = side(ca, 'a', marksA);
    const sb = side(cb, 'b', marksB);
    if (sa) row.a = sa;
    if (sb) row.b = sb;
    charts.push(...[sa, sb].filter((c): c is SideChart => c !== undefined));
    rows.push(row);
  }
  return { startSeconds: parseClock(a.start), t, marks: marksA, charts, rows };
}
