/** Reading one series of one entity out of a run's timeline, for the compact summary's story lines. */
import { type Samples, selectWindow, seriesSamples } from '../../../sim/expect/window.js';
import type { RunResult } from '../../../sim/result.js';
import { maxValue } from '../sparkline.js';

/** The samples of `series` for `entity` (default: the `total` row), or undefined if either is unknown. */
export function samplesOf(result: RunResult, series: string, entity = 'total'): Samples | undefined {
  const s = result.timeline.series.findIndex((m) => m.name === series);
  const e = result.timeline.entities.indexOf(entity);
  if (s < 0 || e < 0) return undefined;
  return seriesSamples(result.timeline, s, e);
}

/** What a counter counted in [from, to): the sum of its samples whose interval overlaps the window. */
export function countIn(result: RunResult, series: string, from: number, to: number, entity = 'total'): number {
  const samples = samplesOf(result, series, entity);
  if (samples === undefined || samples.kind !== 'counter') return 0;
  return selectWindow(samples, from, to).v.reduce((a, b) => a + b, 0);
}

/** A gauge's value in the sample that ends at or just after `t` (the last sample past the end). */
export function gaugeAt(result: RunResult, series: string, t: number, entity = 'total'): number | undefined {
  const samples = samplesOf(result, series, entity);
  if (samples === undefined || samples.v.length === 0) return undefined;
  const i = samples.t.findIndex((end) => end >= t);
  return samples.v[i < 0 ? samples.v.length - 1 : i];
}

/** A series' largest value for an entity (0 when absent). */
export function maxOf(result: RunResult, series: string, entity = 'total'): number {
  const samples = samplesOf(result, series, entity);
  return samples === undefined ? 0 : maxValue(samples.v, 0);
}
