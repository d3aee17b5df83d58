/**
 * The numbers a phase summary quotes, read from a finished run: timeline values around a moment,
 * sums and per-second peaks over a phase. (A log line's own numbers and settings are in its trace
 * record.)
 */
import { type Samples, seriesSamples } from '../expect/window.js';
import type { RunResult } from '../result.js';
import type { Scenario } from '../scenario/schema.js';

/**
 * Counters that only an expiring timer adds to: a client's own timeout (err_client_timeout), its
 * kernel giving up (ETIMEDOUT), a node's failed ARP lookup (EHOSTUNREACH, 3 s after the SYN:
 * lb/gone-addresses.ts). An action cannot cause one at its own instant.
 */
const TIMER_EXPIRIES: ReadonlySet<string> = new Set(['err_client_timeout', 'err_etimedout', 'err_ehostunreach']);
/** Counters that count each of those too (world.ts error(): `errors` and the kind's own). */
const PARTS_OF: Readonly<Record<string, readonly string[]>> = {
  errors: ['err_client_timeout', 'err_etimedout', 'err_ehostunreach'],
};

export class RunFacts {
  private readonly seriesIndex = new Map<string, number>();
  private readonly rowsCache = new Map<string, { t: number; v: number }[] | null>();

  constructor(
    readonly result: RunResult,
    readonly scenario: Scenario,
  ) {
    result.timeline.series.forEach((s, i) => this.seriesIndex.set(s.name, i));
  }

  /**
   * A gauge just before simulated time t: the last sample strictly earlier, so an action at t is
   * not yet in it. Before the first sample, the first sample's value. `entity` is a backend name
   * or `total`; null when the series or entity is unknown.
   */
  gaugeBefore(series: string, entity: string, t: number): number | null {
    const rows = this.rows(series, entity);
    if (rows === null || rows.length === 0) return null;
    let value = rows[0]!.v;
    for (const row of rows) {
      if (row.t >= t) break;
      value = row.v;
    }
    return value;
  }

  /** A gauge at the last sample at or before t. */
  gaugeAt(series: string, entity: string, t: number): number | null {
    const rows = this.rows(series, entity);
    if (rows === null || rows.length === 0) return null;
    let value = rows[0]!.v;
    for (const row of rows) {
      if (row.t > t) break;
      value = row.v;
    }
    return value;
  }

  /**
   * A counter summed over the samples that end in [from, to). An action at `from` fires before
   * the sample at `from` is taken, so its immediate effects count in the phase it starts. That
   * sample also holds the interval before the action, so a count no action makes at its own
   * instant — a timer that expired (TIMER_EXPIRIES) — counts in the phase before, where its
   * timer was armed (hard-cut: the requests in flight at the kill time out 30 s later, just
   * before the vanish), as the terminal summary's story counts it.
   */
  sum(series: string, entity: string, from: number, to: number): number | null {
    const rows = this.rows(series, entity);
    if (rows === null) return null;
    let total = 0;
    const expiry = TIMER_EXPIRIES.has(series);
    for (const row of rows) if (expiry ? row.t > from && row.t <= to : row.t >= from && row.t < to) total += row.v;
    // A total that includes such counts moves them with them.
    for (const part of PARTS_OF[series] ?? [])
      total += this.sampleEndingAt(part, entity, to) - this.sampleEndingAt(part, entity, from);
    return total;
  }

  /** A counter's sample that ends exactly at t (0: none). */
  private sampleEndingAt(series: string, entity: string, t: number): number {
    return this.rows(series, entity)?.find((row) => row.t === t)?.v ?? 0;
  }

  /**
   * A counter's busiest second over the samples that end in [from, to) (a timer expiry's: (from, to],
   * as sum() counts it: review31), the way the `peak_per_s`
   * figures count it: over the whole run of the total row, this is that figure. A timeline without
   * per-second peaks (a hand-made one) gives the largest sample divided by the interval.
   */
  peakPerSecond(series: string, entity: string, from: number, to: number): number | null {
    const rows = this.rows(series, entity);
    if (rows === null) return null;
    const busiest = entity === 'total' ? this.result.timeline.busiestSecond?.[series] : undefined;
    let peak = 0;
    // The same samples as sum(): a timer expiry's in (from, to].
    const expiry = TIMER_EXPIRIES.has(series);
    rows.forEach((row, k) => {
      if (expiry ? !(row.t > from && row.t <= to) : row.t < from || row.t >= to) return;
      const v = busiest === undefined ? row.v / this.result.timeline.interval : busiest[k]!;
      if (v > peak) peak = v;
    });
    return peak;
  }

  /** One entity's samples of a series in time order, built once per pair (explain asks often). */
  private rows(series: string, entity: string): { t: number; v: number }[] | null {
    const key = `${series}@${entity}`;
    const cached = this.rowsCache.get(key);
    if (cached !== undefined) return cached;
    const s = this.seriesIndex.get(series);
    const e = this.result.timeline.entities.indexOf(entity);
    const rows = s === undefined || e < 0 ? null : this.samplesAsRows(seriesSamples(this.result.timeline, s, e));
    this.rowsCache.set(key, rows);
    return rows;
  }

  private samplesAsRows(samples: Samples): { t: number; v: number }[] {
    return samples.t.map((t, i) => ({ t, v: samples.v[i]! }));
  }
}
