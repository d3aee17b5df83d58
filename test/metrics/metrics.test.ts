import { describe, expect, it } from 'vitest';
import { Float64Column } from '../../sim/metrics/column.js';
import { Metrics } from '../../sim/metrics/metrics.js';

describe('Metrics', () => {
  it("takes a peak per second of the timeline: a 1-s row, counts at a sample's own time included", () => {
    // review30 #1: hard-cut's reset_in.peak_per_s was 403 while no row of its timeline held more
    // than 383: the 20 resets at the kill's whole second went to the next calendar second's peak
    // but to the row that the sample at that second ends.
    const m = new Metrics(['a'], 1, 4);
    const clock = { now: 0 };
    m.clock = clock;
    const resets = m.counter('resets', 'n', '');
    m.resetCounters();
    const at = (t: number, n: number) => {
      clock.now = t;
      for (let i = 0; i < n; i++) m.inc(resets, 0);
    };
    at(0, 1); // the first row's (0 s is where the counting starts)
    at(0.5, 2);
    at(1, 20); // before the sample at 1 s: that row's
    clock.now = 1;
    m.sample(1);
    at(1, 5); // after it, at the same time: the next row's
    at(1.5, 378);
    clock.now = 2;
    m.sample(2);
    at(2.5, 7);
    clock.now = 3;
    m.sample(3);
    const { timeline } = m.result();
    const col = timeline.series.findIndex((s) => s.name === 'resets');
    const totals = Array.from(timeline.values[col]!).filter((_, i) => timeline.entity[i] === 1);
    expect(totals).toEqual([23, 383, 7]);
    expect(Array.from(timeline.busiestSecond!.resets!)).toEqual([23, 383, 7]);
    expect(m.peaks().get('resets')).toBe(Math.max(...totals));
  });

  it('takes per-second peaks of the total row from the clock, counting the last open second', () => {
    const m = new Metrics(['a', 'b'], 1);
    const clock = { now: -3.5 };
    m.clock = clock;
    const hits = m.counter('hits', 'n', '');
    const misses = m.counter('misses', 'n', '');
    // Second (-4, -3]: 2 hits. Second (2, 3]: 3 hits (over both entities), 1 miss. Second (7, 8]:
    // 4 misses, open. A count at a whole second is that second's end: 2.0 is (1, 2]'s.
    const at = (t: number, id: number, e: number) => {
      clock.now = t;
      m.inc(id, e);
    };
    at(-3.5, hits, 0);
    at(-3.1, hits, 1);
    at(2.0, hits, 0);
    at(2.1, hits, 0);
    at(2.2, misses, -1);
    at(2.5, hits, 1);
    at(2.99, hits, 1);
    for (const t of [7.1, 7.2, 7.9, 8]) at(t, misses, 0);
    expect(m.peaks()).toEqual(
      new Map([
        ['hits', 3],
        ['misses', 4],
      ]),
    );
    expect(m.peaks()).toEqual(
      new Map([
        ['hits', 3],
        ['misses', 4],
      ]),
    );
    m.resetCounters();
    at(8.5, hits, 0);
    expect(m.peaks()).toEqual(
      new Map([
        ['hits', 1],
        ['misses', 0],
      ]),
    );
  });

  it('keeps the timeline in typed columns: one row per entity per sample', () => {
    const m = new Metrics(['a'], 1);
    const hits = m.counter('hits', 'n', '');
    m.gauge(
      'level',
      'n',
      '',
      (e) => 10 + e,
      () => 99,
    );
    for (let k = 1; k <= 3; k++) {
      for (let i = 0; i < k; i++) m.inc(hits, 0);
      m.sample(k);
    }
    const { timeline } = m.result();
    expect(timeline.t).toEqual(Float64Array.from([1, 1, 2, 2, 3, 3]));
    expect(timeline.entity).toEqual(Int32Array.from([0, 1, 0, 1, 0, 1]));
    expect(Array.from(timeline.values[0]!)).toEqual([1, 1, 2, 2, 3, 3]);
    expect(Array.from(timeline.values[1]!)).toEqual([10, 99, 10, 99, 10, 99]);
    expect(() => m.sample(4)).toThrow(/after result/);
  });

  it('hands the series that stayed zero one shared column, whatever the horizon (issue 14)', () => {
    const m = new Metrics(['a'], 1);
    const hits = m.counter('hits', 'n', '');
    const quiet = [m.counter('resets', 'n', ''), m.counter('retries', 'n', ''), m.counter('drops', 'n', '')];
    for (let k = 1; k <= 1000; k++) {
      m.inc(hits, 0);
      m.sample(k);
    }
    const { timeline } = m.result();
    const zeroColumns = new Set(quiet.map((id) => timeline.values[id]));
    expect(zeroColumns.size).toBe(1);
    const [zeros] = zeroColumns;
    expect(zeros!.length).toBe(2000);
    expect(zeros!.every((v) => v === 0)).toBe(true);
    expect(timeline.values[hits]).not.toBe(zeros);
    // The busiest-second columns of the quiet counters share theirs too (one per length).
    expect(new Set(['resets', 'retries', 'drops'].map((n) => timeline.busiestSecond![n])).size).toBe(1);
  });

  it('a chunked column returns every value in order across chunk boundaries', () => {
    const c = new Float64Column();
    for (let i = 0; i < 40_000; i++) c.push(i * 0.5);
    const a = c.toArray();
    expect(a.length).toBe(40_000);
    expect(c.length).toBe(40_000);
    expect(a[16_383]).toBe(16_383 * 0.5);
    expect(a[16_384]).toBe(16_384 * 0.5);
    expect(a[39_999]).toBe(39_999 * 0.5);
    expect(new Float64Column().toArray().length).toBe(0);
    expect(() => c.toArray()).toThrow(/twice/);
  });

  it('keeps each chunk in the narrowest typed array that holds it exactly, and reads back every value', () => {
    // Chunks of 16,384: zeros, bytes, 16-bit, negative, fractional, −0 / NaN / 2^40, then a tail.
    const chunks: ((i: number) => number)[] = [
      () => 0,
      (i) => i % 256,
      (i) => i * 3,
      (i) => -i,
      (i) => i / 8,
      (i) => [-0, Number.NaN, 2 ** 40, 7][i % 4]!,
    ];
    const values = chunks.flatMap((f) => Array.from({ length: 16_384 }, (_, i) => f(i)));
    values.push(1, 2, 3);
    const whole = new Float64Column();
    for (const v of values) whole.push(v);
    const out = whole.toArray();
    expect(out).toBeInstanceOf(Float64Array);
    expect(out.length).toBe(values.length);
    for (let i = 0; i < values.length; i++) expect(Object.is(out[i], values[i]), `value ${i}`).toBe(true);
    // Joined, a column takes the narrowest type that holds all its chunks.
    const narrowest = (f: (i: number) => number) => {
      const c = new Float64Column();
      for (let i = 0; i < 40_000; i++) c.push(f(i));
      return c.toArray();
    };
    expect(narrowest(() => 0)).toBeInstanceOf(Uint8Array);
    expect(narrowest((i) => i % 200)).toBeInstanceOf(Uint8Array);
    expect(narrowest((i) => i)).toBeInstanceOf(Uint16Array);
    expect(narrowest((i) => i - 5)).toBeInstanceOf(Int32Array);
    expect(narrowest((i) => (i === 39_999 ? 0.5 : 1))).toBeInstanceOf(Float64Array);
    expect(narrowest((i) => (i === 3 ? -0 : 0))).toBeInstanceOf(Float64Array);
  });
});

describe('Float64Column with the expected length', () => {
  it('is allocated once at that length and handed over without a copy', () => {
    const c = new Float64Column(1000);
    for (let i = 0; i < 1000; i++) c.push(i % 300);
    const out = c.toArray();
    expect(out).toBeInstanceOf(Uint16Array);
    expect(out.buffer.byteLength).toBe(1000 * 2);
    for (let i = 0; i < 1000; i++) expect(out[i]).toBe(i % 300);
  });

  it('widens in place past the hint’s kind and grows past its length, every value exact', () => {
    const values = Array.from({ length: 2500 }, (_, i) => (i < 500 ? 0 : i < 900 ? 7 : i < 1500 ? -i : i / 3));
    const c = new Float64Column(1000);
    for (const v of values) c.push(v);
    const out = c.toArray();
    expect(out).toBeInstanceOf(Float64Array);
    expect(Array.from(out)).toEqual(values);
    // Past a doubling the unused tail is not kept.
    expect(out.buffer.byteLength).toBe(2500 * 8);
  });

  it('a run’s timeline columns are exactly its sample count long when the hint is exact', () => {
    for (const [horizon, interval] of [
      [10, 1],
      [10.5, 1],
      [7, 0.1],
    ] as const) {
      const m = new Metrics(['a', 'b'], interval, Math.ceil(horizon / interval));
      m.gauge('level', 'n', '', () => 1000);
      // topology.ts's sampling loop.
      for (let k = 1; ; k++) {
        m.sample(k * interval);
        if (!(k * interval < horizon)) break;
      }
      const { timeline } = m.result();
      expect(timeline.values[0]!.buffer.byteLength).toBe(timeline.values[0]!.byteLength);
      expect(timeline.t.buffer.byteLength).toBe(timeline.t.byteLength);
    }
  });

  it('counts in a sample what a gauge read counted (a lazily kept model catching up when read)', () => {
    const m = new Metrics(['a'], 1);
    const closed = m.counter('closed', 'n', '');
    // Reading the gauge catches up two closes that were due, as l7-server-conns.ts's pool purge does.
    let due = 0;
    m.gauge('idle', 'n', '', () => {
      for (; due > 0; due--) m.inc(closed, 0);
      return 0;
    });
    m.inc(closed, 0);
    due = 2;
    m.sample(1);
    m.sample(2);
    const { timeline } = m.result();
    // Rows per sample: entity a, then total; the counter's column is values[0].
    expect(Array.from(timeline.values[0]!)).toEqual([3, 3, 0, 0]);
  });
});
