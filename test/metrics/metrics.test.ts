import { describe, expect, it } from 'vitest';
import { Float64Column } from '../../sim/metrics/column.js';
import { Metrics } from '../../sim/metrics/metrics.js';

describe('Metrics', () => {
  it('takes per-second peaks of the total row from the clock, counting the last open second', () => {
    const m = new Metrics(['a', 'b'], 1);
    const clock = { now: -3.5 };
    m.clock = clock;
    const hits = m.counter('hits', 'n', '');
    const misses = m.counter('misses', 'n', '');
    // Second -4: 2 hits. Second 2: 3 hits (over both entities), 1 miss. Second 7: 4 misses, open.
    const at = (t: number, id: number, e: number) => {
      clock.now = t;
      m.inc(id, e);
    };
    at(-3.5, hits, 0);
    at(-3.1, hits, 1);
    at(2.0, hits, 0);
    at(2.2, misses, -1);
    at(2.5, hits, 1);
    at(2.99, hits, 1);
    for (const t of [7, 7.1, 7.2, 7.9]) at(t, misses, 0);
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
    expect(timeline.values[0]).toEqual(Float64Array.from([1, 1, 2, 2, 3, 3]));
    expect(timeline.values[1]).toEqual(Float64Array.from([10, 99, 10, 99, 10, 99]));
    expect(() => m.sample(4)).toThrow(/after result/);
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
  });
});
