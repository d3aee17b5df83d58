import { describe, expect, it } from 'vitest';
import { renderTimelineCsv } from '../../../reports/timeline-csv/index.js';
import { fixtureResult } from '../fixture.js';

describe('timeline.csv', () => {
  it('writes one row per sample and entity, total last in each sample', () => {
    const lines = renderTimelineCsv(fixtureResult()).trimEnd().split('\n');
    expect(lines[0]).toBe('t_s,time,entity,active_conn,new_conn,reset_out,time_wait,errors');
    expect(lines).toHaveLength(1 + 5 * 3);
    expect(lines.slice(7, 10).map((l) => l.split(',').slice(0, 3).join(','))).toEqual([
      '30,14:00:30,vm-a',
      '30,14:00:30,vm-b',
      '30,14:00:30,total',
    ]);
  });

  it('orders rows by time and entity however the timeline stored them', () => {
    const stored = fixtureResult();
    const shuffled = fixtureResult();
    const tl = shuffled.timeline;
    const order = Array.from(tl.t, (_, i) => i).reverse();
    tl.t = Float64Array.from(order, (i) => tl.t[i]!);
    tl.entity = Int32Array.from(order, (i) => tl.entity[i]!);
    tl.values = tl.values.map((column) => Float64Array.from(order, (i) => column[i]!));
    expect(renderTimelineCsv(shuffled)).toBe(renderTimelineCsv(stored));
  });

  it('rounds values and leaves non-finite ones empty', () => {
    const result = fixtureResult();
    result.timeline.values[3]![0] = 1 / 3;
    result.timeline.values[4]![0] = NaN;
    const firstRow = renderTimelineCsv(result).split('\n')[1];
    expect(firstRow).toBe('10,14:00:10,vm-a,600,40,0,0.333333,');
  });

  it('refuses a row that names an entity the timeline does not have', () => {
    const result = fixtureResult();
    result.timeline.entity[0] = 9;
    expect(() => renderTimelineCsv(result)).toThrow(/entity index 9/);
  });
});
