/**
 * report.html's min/max decimation (reports/html/decimate.ts) and the health chart drawn only when
 * something about health changes (chart-data.ts whenFlat).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildCharts } from '../../../reports/html/chart-data.js';
import {
  DECIMATE_ABOVE,
  decimateTimes,
  decimateValues,
  MAX_BUCKETS,
  samplesPerBucket,
} from '../../../reports/html/decimate.js';
import type { SeriesMeta, Timeline } from '../../../sim/result.js';

/** A timeline of two backends and total at 1 s samples; `value(series, entity, sample)`. */
function timeline(
  samples: number,
  series: SeriesMeta[],
  value: (name: string, entity: number, sample: number) => number,
): Timeline {
  const entities = ['vm-a', 'vm-b', 'total'];
  const rows = samples * entities.length;
  const t = new Float64Array(rows);
  const entity = new Int32Array(rows);
  const values = series.map(() => new Float64Array(rows));
  for (let i = 0; i < samples; i++) {
    for (let e = 0; e < entities.length; e++) {
      const r = i * entities.length + e;
      t[r] = i + 1;
      entity[r] = e;
      series.forEach((meta, s) => {
        values[s]![r] = value(meta.name, e, i);
      });
    }
  }
  return { interval: 1, entities, series, t, entity, values };
}

const meta = (name: string, kind: 'counter' | 'gauge'): SeriesMeta => ({ name, kind, unit: 'x', description: name });

describe('decimateTimes / decimateValues', () => {
  it('keeps every sample up to DECIMATE_ABOVE, and at most 2 × MAX_BUCKETS points past it', () => {
    expect(samplesPerBucket(DECIMATE_ABOVE)).toBe(1);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400_000 }), (n) => {
        const t = Array.from({ length: n }, (_, i) => i + 1);
        const points = decimateTimes(t, samplesPerBucket(n)).length;
        if (n <= DECIMATE_ABOVE) expect(points).toBe(n);
        else expect(points).toBeLessThanOrEqual(2 * MAX_BUCKETS);
      }),
      { numRuns: 50 },
    );
  });

  it('keeps each bucket’s min and max exactly, in the order they occurred, on increasing times', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.integer({ min: -1000, max: 1000 }), { nil: null }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 20 }),
        (values, k) => {
          const t = values.map((_, i) => i + 1);
          const xs = decimateTimes(t, k);
          const ys = decimateValues(values, k);
          expect(ys.length).toBe(xs.length);
          for (let i = 1; i < xs.length; i++) expect(xs[i]!).toBeGreaterThan(xs[i - 1]!);
          const present = values.filter((v): v is number => v !== null);
          const kept = ys.filter((v): v is number => v !== null);
          if (present.length > 0) {
            expect(Math.max(...kept)).toBe(Math.max(...present));
            expect(Math.min(...kept)).toBe(Math.min(...present));
          }
          // Each point is a value of its own bucket.
          let p = 0;
          for (let from = 0; from < values.length; from += k) {
            const bucket = values.slice(from, from + k);
            const n = bucket.length === 1 ? 1 : 2;
            for (let j = 0; j < n; j++, p++) {
              if (ys[p] !== null) expect(bucket).toContain(ys[p]);
            }
          }
        },
      ),
    );
  });
});

describe('buildCharts of a long timeline', () => {
  const DAY = 86_400;
  const SPIKE = 51_234;
  const tl = timeline(DAY, [meta('active_conn', 'gauge'), meta('reset_out', 'counter')], (name, e, i) => {
    if (name === 'reset_out') return i === SPIKE && e !== 1 ? 7 : 0;
    return e === 2 ? 1000 + (i % 50) : 500 + (i % 25) + (i === SPIKE && e === 0 ? 40_000 : 0);
  });
  const set = buildCharts(tl);

  it('draws at most 2 × MAX_BUCKETS points of a day at 1 s samples', () => {
    expect(set.t.length).toBeLessThanOrEqual(2 * MAX_BUCKETS);
    expect(set.t[0]).toBe(1);
    expect(set.t.at(-1)).toBe(DAY);
    for (const chart of set.charts) for (const s of chart.series) expect(s.values.length).toBe(set.t.length);
  });

  it('keeps a one-sample spike and the troughs exactly', () => {
    const resets = set.charts.find((c) => c.id === 'resets')!;
    expect(resets.series.find((s) => s.label === 'reset_out')!.values.filter((v) => v === 7)).toHaveLength(1);
    const active = set.charts.find((c) => c.id === 'active-conn')!;
    const vmA = active.series.find((s) => s.label === 'vm-a')!.values as number[];
    expect(Math.max(...vmA)).toBe(500 + (SPIKE % 25) + 40_000);
    expect(Math.min(...vmA)).toBe(500);
    // The spike is drawn within one bucket of where it happened.
    const at = set.t[vmA.indexOf(Math.max(...vmA))]!;
    expect(Math.abs(at - (SPIKE + 1))).toBeLessThan(samplesPerBucket(DAY));
  });

  it('keeps every sample of a timeline up to DECIMATE_ABOVE samples', () => {
    const short = buildCharts(timeline(DECIMATE_ABOVE, [meta('active_conn', 'gauge')], (_, e, i) => e + i));
    expect(short.t).toHaveLength(DECIMATE_ABOVE);
    expect(short.charts[0]!.series[0]!.values).toEqual(Array.from({ length: DECIMATE_ABOVE }, (_, i) => i));
  });
});

describe('the health chart', () => {
  const series = [meta('check_failures', 'counter'), meta('in_service', 'gauge')];

  it('is not drawn when no check failed and the same backends stayed in service', () => {
    const set = buildCharts(timeline(60, series, (name, e) => (name === 'in_service' ? (e === 2 ? 2 : 1) : 0)));
    expect(set.charts.map((c) => c.id)).not.toContain('health');
    expect(set.skipped.find((s) => s.id === 'health')?.reason).toMatch(/^unchanged: /);
  });

  it('is drawn when a backend leaves service, even with no failed check', () => {
    const set = buildCharts(
      timeline(60, series, (name, e, i) => (name === 'in_service' ? (e === 2 ? (i > 30 ? 1 : 2) : 1) : 0)),
    );
    expect(set.charts.map((c) => c.id)).toContain('health');
  });

  it('is drawn when checks fail', () => {
    const set = buildCharts(
      timeline(60, series, (name, e, i) => (name === 'in_service' ? (e === 2 ? 2 : 1) : i === 10 ? 1 : 0)),
    );
    expect(set.charts.map((c) => c.id)).toContain('health');
  });
});
