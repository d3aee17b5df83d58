import { describe, expect, it } from 'vitest';
import { timelineColumns } from '../../../reports/html/timeline-columns.js';
import type { Timeline } from '../../../sim/result.js';

/** Rows (t, entity, value) of one series over entities a, b and total. */
function timeline(rows: [number, number, number][]): Timeline {
  return {
    interval: 1,
    entities: ['a', 'b', 'total'],
    series: [{ name: 'x', kind: 'gauge', unit: 'n', description: '' }],
    t: Float64Array.from(rows, (r) => r[0]),
    entity: Int32Array.from(rows, (r) => r[1]),
    values: [Float64Array.from(rows, (r) => r[2])],
  };
}

describe('timelineColumns', () => {
  // Sample 2 has no row of b; time 2.5 has no total row (not a sample).
  const inOrder: [number, number, number][] = [
    [1, 0, 10],
    [1, 1, 11],
    [1, 2, 21],
    [2, 0, 12],
    [2, 2, 12],
    [2.5, 0, 99],
    [3, 0, 13],
    [3, 1, 0.5],
    [3, 2, 13.5],
  ];

  it('walks rows stored in time order to the same samples as a lookup of any order', () => {
    const walked = timelineColumns(timeline(inOrder));
    const looked = timelineColumns(timeline([...inOrder].reverse()));
    expect(walked.t).toEqual([1, 2, 3]);
    expect(looked.t).toEqual([3, 2, 1]);
    expect([...walked.read(0, 0)]).toEqual([10, 12, 13]);
    expect([...walked.read(0, 1)]).toEqual([11, 0, 0.5]);
    expect([...walked.read(0, 2)]).toEqual([21, 12, 13.5]);
    expect([...looked.read(0, 1)]).toEqual([0.5, 0, 11]);
  });

  it('reuses one buffer: a read overwrites the one before', () => {
    const columns = timelineColumns(timeline(inOrder));
    const first = columns.read(0, 0);
    const second = columns.read(0, 1);
    expect(second).toBe(first);
    expect([...first]).toEqual([11, 0, 0.5]);
  });
});
