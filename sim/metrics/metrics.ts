import type { SeriesMeta, Timeline } from '../result.js';
import { Histogram } from './histogram.js';

export type SeriesId = number;

interface SeriesDef extends SeriesMeta {
  /** Gauges are pulled at sample time, so the hot path never maintains them. */
  read?: (entity: number) => number;
  /** For a gauge, how the `total` row is formed from the entities (default: sum). */
  total?: () => number;
}

/**
 * Counters, gauges and histograms for a set of entities (backends) plus `total`.
 *
 * Counters are one Float64Array of running totals indexed by series × entity, so `inc` is two
 * additions; a sample is the difference from the totals at the previous sample. Gauges are read
 * through callbacks when a sample is taken.
 */
export class Metrics {
  readonly entities: string[];
  private readonly width: number;
  private readonly totalIdx: number;
  private defs: SeriesDef[] = [];
  /** Counters since the end of warmup, never reset by sampling. */
  private cumulative = new Float64Array(0);
  /** The running totals at the previous sample (whole numbers, so the difference is exact). */
  private sampled = new Float64Array(0);
  /**
   * Per counter (total row): the current 1-second bucket and its count, the busiest second of the
   * current sample interval, and the busiest of the intervals already sampled.
   */
  private secondOf = new Float64Array(0);
  private secondCount = new Float64Array(0);
  private intervalPeak = new Float64Array(0);
  private secondPeak = new Float64Array(0);
  /** Per counter, per sample: its interval's busiest second (explain's per-phase peaks). */
  private busiest: number[][] = [];
  /** The simulated clock (the engine), for the per-second peaks. */
  clock: { readonly now: number } = { now: 0 };
  private readonly histograms = new Map<string, Histogram>();
  private readonly timeline: Timeline;

  constructor(entityNames: string[], interval: number) {
    this.entities = [...entityNames, 'total'];
    this.width = this.entities.length;
    this.totalIdx = this.width - 1;
    this.timeline = { interval, entities: this.entities, series: [], t: [], entity: [], values: [] };
  }

  counter(name: string, unit: string, description: string): SeriesId {
    return this.define({ name, kind: 'counter', unit, description });
  }

  gauge(name: string, unit: string, description: string, read: (entity: number) => number, total?: () => number): SeriesId {
    return this.define({ name, kind: 'gauge', unit, description, read, total });
  }

  /** Count one for an entity (and for the total row). Entity -1 counts in total only. */
  inc(id: SeriesId, entity: number): void {
    const base = id * this.width;
    if (entity >= 0) this.cumulative[base + entity]++;
    this.cumulative[base + this.totalIdx]++;
    const second = Math.floor(this.clock.now);
    if (this.secondOf[id] !== second) {
      this.secondOf[id] = second;
      this.secondCount[id] = 0;
    }
    this.secondCount[id]++;
    if (this.secondCount[id] > this.intervalPeak[id]) this.intervalPeak[id] = this.secondCount[id];
  }

  /** A counter's running total for an entity (`total` index for all). */
  runningTotal(id: SeriesId, entity: number): number {
    return this.cumulative[id * this.width + entity];
  }

  histogram(name: string): Histogram {
    let h = this.histograms.get(name);
    if (!h) {
      h = new Histogram();
      this.histograms.set(name, h);
    }
    return h;
  }

  /** Forget everything counted so far (end of warmup). */
  resetCounters(): void {
    this.cumulative.fill(0);
    this.sampled.fill(0);
    this.secondOf.fill(NaN);
    this.secondCount.fill(0);
    this.intervalPeak.fill(0);
    this.secondPeak.fill(0);
    for (const rows of this.busiest) rows.length = 0;
    for (const h of this.histograms.values()) h.reset();
  }

  /** Take one sample ending at time t: a row per entity, then counters restart. */
  sample(t: number): void {
    const tl = this.timeline;
    for (let e = 0; e < this.width; e++) {
      tl.t.push(t);
      tl.entity.push(e);
    }
    for (let s = 0; s < this.defs.length; s++) {
      const def = this.defs[s];
      const column = tl.values[s];
      for (let e = 0; e < this.width; e++) {
        let v: number;
        if (def.kind === 'counter') v = this.cumulative[s * this.width + e] - this.sampled[s * this.width + e];
        else if (e === this.totalIdx) v = def.total ? def.total() : sumOfEntities(def, this.totalIdx);
        else v = def.read!(e);
        column.push(v);
      }
    }
    this.sampled.set(this.cumulative);
    for (let s = 0; s < this.defs.length; s++) {
      if (this.defs[s].kind !== 'counter') continue;
      this.busiest[s].push(this.intervalPeak[s]);
      if (this.intervalPeak[s] > this.secondPeak[s]) this.secondPeak[s] = this.intervalPeak[s];
      // A second cut by the sample goes on counting into the next interval's peak.
      this.intervalPeak[s] = 0;
    }
  }

  /** Per-second peaks of every counter, by series name. */
  peaks(): Map<string, number> {
    const out = new Map<string, number>();
    this.defs.forEach((d, i) => {
      if (d.kind === 'counter') out.set(d.name, Math.max(this.secondPeak[i], this.intervalPeak[i]));
    });
    return out;
  }

  result(): { timeline: Timeline; histograms: Map<string, Histogram> } {
    this.timeline.series = this.defs.map(({ name, kind, unit, description }) => ({ name, kind, unit, description }));
    const busiest: Record<string, number[]> = {};
    this.defs.forEach((d, i) => {
      if (d.kind === 'counter') busiest[d.name] = this.busiest[i];
    });
    this.timeline.busiestSecond = busiest;
    return { timeline: this.timeline, histograms: this.histograms };
  }

  private define(def: SeriesDef): SeriesId {
    if (this.defs.some((d) => d.name === def.name)) throw new Error(`metric ${def.name} defined twice`);
    if (this.timeline.t.length > 0) throw new Error(`metric ${def.name} defined after sampling began`);
    this.defs.push(def);
    this.timeline.values.push([]);
    this.busiest.push([]);
    for (const key of ['cumulative', 'sampled'] as const) {
      const grown = new Float64Array(this.defs.length * this.width);
      grown.set(this[key]);
      this[key] = grown;
    }
    for (const key of ['secondOf', 'secondCount', 'intervalPeak', 'secondPeak'] as const) {
      const grown = new Float64Array(this.defs.length);
      grown.set(this[key]);
      if (key === 'secondOf') grown[this.defs.length - 1] = NaN;
      this[key] = grown;
    }
    return this.defs.length - 1;
  }
}

function sumOfEntities(def: SeriesDef, entityCount: number): number {
  let sum = 0;
  for (let e = 0; e < entityCount; e++) sum += def.read!(e);
  return sum;
}

