/**
 * A long run's terminal summary: past ~125,000 samples per series, `Math.max(...values)` overflowed
 * the stack ("Maximum call stack size exceeded", a 40 min run at 10 ms samples; a 35 h run at 1 s).
 * The compact summary (a backend named by the timeline gets a sparkline) and --verbose (sparklines
 * of the total) must both render, with the true max.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderCompact } from '../../../reports/terminal/compact/index.js';
import { renderVerbose } from '../../../reports/terminal/index.js';
import { maxValue } from '../../../reports/terminal/sparkline.js';
import type { RunResult } from '../../../sim/result.js';
import { fixtureResult } from '../fixture.js';

const SAMPLES = 300_000;

/** The fixture stretched to SAMPLES samples of 1 s, vm-a drained at 10 s; one spike late on. */
function longResult(): RunResult {
  const base = fixtureResult();
  const entities = base.timeline.entities;
  const rows = SAMPLES * entities.length;
  const t = new Float64Array(rows);
  const entity = new Int32Array(rows);
  const values = base.timeline.series.map(() => new Float64Array(rows));
  for (let i = 0; i < SAMPLES; i++) {
    for (let e = 0; e < entities.length; e++) {
      const r = i * entities.length + e;
      t[r] = i + 1;
      entity[r] = e;
      const vmA = i === SAMPLES - 7 ? 987_654 : 600;
      for (const column of values) column[r] = e === 0 ? vmA : e === 1 ? 700 : vmA + 700;
    }
  }
  return {
    ...base,
    horizon: SAMPLES,
    resolved: { ...(base.resolved as object), timeline: [{ at: '14:00:10', do: 'drain', backend: 'vm-a' }] },
    timeline: { ...base.timeline, interval: 1, t, entity, values },
  };
}

describe('terminal summary of a long run', () => {
  const result = longResult();
  const ctx = { color: false, width: 80, written: [] as string[] };

  it('compact: the named backend gets its sparkline and its true max', () => {
    const text = renderCompact(result, ctx);
    expect(text).toMatch(/vm-a\s+active_conn\s+\S+\s+max 987,654 · end 600/);
  });

  it('--verbose: sparklines of the total over every sample', () => {
    const text = renderVerbose(result, { ...ctx, verbose: true });
    expect(text).toContain(`${SAMPLES} samples`);
    expect(text).toMatch(/active_conn\s+\S+\s+max 988,354/);
  });
});

describe('maxValue', () => {
  it('is Math.max over the values and the floor, NaN and signed zeros included', () => {
    fc.assert(
      fc.property(fc.array(fc.double()), fc.constantFrom(-Infinity, 0), (values, floor) => {
        expect(Object.is(maxValue(values, floor), Math.max(floor, ...values))).toBe(true);
      }),
    );
  });
});
