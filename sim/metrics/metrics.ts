import type { SeriesMeta, Timeline } from '../result.js';
import { sharedZeros } from './column.js';
import { ColumnStore } from './column-store.js';
import { Histogram } from './histogram.js';
import type { SpillFile } from './spill-file.js';
import { ENTITY_COLUMN, FIRST_SERIES_COLUMN, spilledTimeline, TIME_COLUMN } from './spilled-timeline.js';

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
 * additions and one comparison; a sample is the difference from the totals at the previous
 * sample. Gauges are read through callbacks when a sample is taken. Per-second peaks are taken
 * when the clock leaves a second (the running totals minus those at the start of the last second),
 * not on every increment. A second is the timeline's own: with a whole-second sample interval each
 * sample ends one (so the busiest second is a 1-s row of timeline.csv, and a `max(…)` over the rows
 * of a 1-s timeline is the summary's peak, even for counts made at the very time of a sample: a
 * timeline action at a whole second), and between samples seconds end at whole seconds, (k − 1, k]. The timeline is kept in typed columns, each in the narrowest
 * typed array that holds its values exactly, allocated at the run's sample count (column.ts); or,
 * after `spillTo`, a block of rows at a time, the blocks before it in a spill file (column-store.ts).
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
  /** Per counter (total row): the running total when the current second began, and the largest
   *  count of any finished second. */
  private secondBase = new Float64Array(0);
  private secondPeak = new Float64Array(0);
  /** End of the current 1-second bucket: counts at a time past it start the next one. */
  private secondEnd = -Infinity;
  /** The sample interval is a whole number of seconds: a sample ends the second it cuts. */
  private readonly samplesEndSeconds: boolean;
  /** Per counter: the busiest finished second of the current sample interval. */
  private intervalPeak = new Float64Array(0);
  /** Per series (counters only filled), per sample: its interval's busiest second (explain's
   *  per-phase peaks). Columns, not number[]s: a day at 1-s samples is 86,400 values per counter. */
  private readonly busiest: ColumnStore;
  /** The simulated clock (the engine), for the per-second peaks. */
  clock: { readonly now: number } = { now: 0 };
  private readonly histograms = new Map<string, Histogram>();
  private readonly interval: number;
  /** The timeline's rows: time, entity, then one column per series (spilled-timeline.ts). */
  private readonly rows: ColumnStore;
  private spill: SpillFile | null = null;
  private finished: Timeline | null = null;

  /** `expectedSamples`: how many samples the run will take (0 when not known); a hint only. */
  constructor(entityNames: string[], interval: number, expectedSamples = 0) {
    this.entities = [...entityNames, 'total'];
    this.width = this.entities.length;
    this.totalIdx = this.width - 1;
    this.interval = interval;
    this.samplesEndSeconds = Number.isInteger(interval) && interval >= 1;
    // Given the samples the run will take, each in-memory column is allocated once at its final length.
    this.rows = new ColumnStore(expectedSamples * this.width);
    this.rows.add(); // TIME_COLUMN
    this.rows.add(); // ENTITY_COLUMN
    this.busiest = new ColumnStore(expectedSamples);
  }

  /**
   * Keep at most ~`rowsInMemory` timeline rows in memory (each block of them is written to `file`
   * once it is full, at a sample's end), so a run's memory does not grow with its horizon (issue 14).
   * Before the first sample. The per-sample busiest seconds go in blocks of as many samples.
   */
  spillTo(file: SpillFile, rowsInMemory: number): void {
    if (this.rows.length(TIME_COLUMN) > 0) throw new Error('Metrics.spillTo after sampling began');
    this.spill = file;
    this.rows.spillTo(file, rowsInMemory);
    this.busiest.spillTo(file, Math.max(1, Math.ceil(rowsInMemory / this.width)));
  }

  counter(name: string, unit: string, description: string): SeriesId {
    return this.define({ name, kind: 'counter', unit, description });
  }

  gauge(
    name: string,
    unit: string,
    description: string,
    read: (entity: number) => number,
    total?: () => number,
  ): SeriesId {
    return this.define({ name, kind: 'gauge', unit, description, read, total });
  }

  /** Count one for an entity (and for the total row). Entity -1 counts in total only. */
  inc(id: SeriesId, entity: number): void {
    const base = id * this.width;
    if (entity >= 0) this.cumulative[base + entity]++;
    if (this.clock.now > this.secondEnd) this.newSecond();
    this.cumulative[base + this.totalIdx]++;
  }

  /** The clock has left the current second: close its counts into the peaks; the next one ends at
   *  the next whole second, (k − 1, k], as a sample's row (t − 1 s, t] does. */
  private newSecond(): void {
    this.closeSecond();
    this.secondEnd = Math.ceil(this.clock.now);
  }

  private closeSecond(): void {
    for (let id = 0; id < this.defs.length; id++) {
      const total = this.cumulative[id * this.width + this.totalIdx];
      const count = total - this.secondBase[id];
      if (count > this.secondPeak[id]) this.secondPeak[id] = count;
      if (count > this.intervalPeak[id]) this.intervalPeak[id] = count;
      this.secondBase[id] = total;
    }
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
    this.secondBase.fill(0);
    this.secondPeak.fill(0);
    this.intervalPeak.fill(0);
    this.busiest.clear();
    // What is counted from now on is the first row's, and so the first second's.
    this.secondEnd = this.clock.now + 1;
    for (const h of this.histograms.values()) h.reset();
  }

  /** Take one sample ending at time t: a row per entity, then counters restart. */
  sample(t: number): void {
    if (this.finished) throw new Error('Metrics.sample after result()');
    const rowTime = this.rows.at(TIME_COLUMN);
    const rowEntity = this.rows.at(ENTITY_COLUMN);
    for (let e = 0; e < this.width; e++) {
      rowTime.push(t);
      rowEntity.push(e);
    }
    // Gauges first: reading one may bring a lazily kept model up to date and count what happened
    // since (lb/l7-server-conns.ts catches its pool purges up when read), which this sample's
    // counters must then include rather than skip.
    for (let s = 0; s < this.defs.length; s++) {
      const def = this.defs[s];
      if (def.kind === 'counter') continue;
      const column = this.rows.at(FIRST_SERIES_COLUMN + s);
      for (let e = 0; e < this.width; e++)
        column.push(e === this.totalIdx ? (def.total ? def.total() : sumOfEntities(def, this.totalIdx)) : def.read!(e));
    }
    for (let s = 0; s < this.defs.length; s++) {
      if (this.defs[s].kind !== 'counter') continue;
      const column = this.rows.at(FIRST_SERIES_COLUMN + s);
      for (let e = 0; e < this.width; e++)
        column.push(this.cumulative[s * this.width + e] - this.sampled[s * this.width + e]);
    }
    this.sampled.set(this.cumulative);
    if (this.samplesEndSeconds) {
      // This row ends a second: whatever is counted next, at this very time too, is the next row's.
      this.closeSecond();
      this.secondEnd = t + 1;
    }
    for (let s = 0; s < this.defs.length; s++) {
      if (this.defs[s].kind !== 'counter') continue;
      // With a sample interval that is no whole number of seconds, the second still open counts so
      // far; cut by the sample, it goes on into the next interval.
      const open = this.cumulative[s * this.width + this.totalIdx] - this.secondBase[s];
      this.busiest.at(s).push(Math.max(this.intervalPeak[s], open));
      this.intervalPeak[s] = 0;
    }
    this.rows.flushIfFull();
    this.busiest.flushIfFull();
  }

  /** Per-second peaks of every counter, by series name. */
  peaks(): Map<string, number> {
    this.closeSecond();
    const out = new Map<string, number>();
    this.defs.forEach((d, i) => {
      if (d.kind === 'counter') out.set(d.name, this.secondPeak[i]);
    });
    return out;
  }

  /** The timeline and histograms of the finished run; sampling ends here. */
  result(): { timeline: Timeline; histograms: Map<string, Histogram> } {
    this.finished ??= this.rows.spilled || this.busiest.spilled ? this.spilledResult() : this.inMemoryResult();
    this.spill?.close();
    return { timeline: this.finished, histograms: this.histograms };
  }

  private meta(): { interval: number; entities: string[]; series: SeriesMeta[] } {
    const series = this.defs.map(({ name, kind, unit, description }) => ({ name, kind, unit, description }));
    return { interval: this.interval, entities: this.entities, series };
  }

  /** Every column handed over as it lies in memory. */
  private inMemoryResult(): Timeline {
    // The columns that stayed zero share one array each length (column.ts sharedZeros).
    const zeros = sharedZeros();
    const time = this.rows.take(TIME_COLUMN, zeros);
    return {
      ...this.meta(),
      t: time instanceof Float64Array ? time : Float64Array.from(time),
      entity: Int32Array.from(this.rows.take(ENTITY_COLUMN, zeros)),
      values: this.defs.map((_, s) => this.rows.take(FIRST_SERIES_COLUMN + s, zeros)),
      busiestSecond: Object.fromEntries(
        this.defs.flatMap((d, i) => (d.kind === 'counter' ? [[d.name, this.busiest.take(i, zeros)] as const] : [])),
      ),
    };
  }

  /** Columns read back from the spill file when a reader asks (spilled-timeline.ts). */
  private spilledResult(): Timeline {
    const counters = this.defs.flatMap((d, i) => (d.kind === 'counter' ? [[d.name, i] as const] : []));
    return spilledTimeline(this.meta(), this.rows, { store: this.busiest, counters });
  }

  private define(def: SeriesDef): SeriesId {
    // A loop, not `some` with a callback: a closure made per call is compiled again in each run of a sweep worker.
    for (const d of this.defs) if (d.name === def.name) throw new Error(`metric ${def.name} defined twice`);
    if (this.rows.length(TIME_COLUMN) > 0) throw new Error(`metric ${def.name} defined after sampling began`);
    this.defs.push(def);
    this.rows.add();
    this.busiest.add();
    for (const key of ['cumulative', 'sampled'] as const) {
      const grown = new Float64Array(this.defs.length * this.width);
      grown.set(this[key]);
      this[key] = grown;
    }
    for (const key of ['secondBase', 'secondPeak', 'intervalPeak'] as const) {
      const grown = new Float64Array(this.defs.length);
      grown.set(this[key]);
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
