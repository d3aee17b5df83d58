import { describe, expect, it } from 'vitest';
import { parseAssertion } from '../../sim/expect/syntax.js';

describe('parseAssertion', () => {
  it('reads a figure comparison', () => {
    expect(parseAssertion('  errors.total   <=  5 ')).toEqual({
      measure: { kind: 'name', name: 'errors.total' },
      check: { kind: 'compare', op: '<=', value: '5' },
    });
  });

  it('reads a window with an entity whose name has dots and dashes', () => {
    expect(parseAssertion('max(reset_out@10.0.0-1) over [14:02, end] != 0')).toEqual({
      measure: {
        kind: 'call',
        fn: 'max',
        arg: { kind: 'name', name: 'reset_out', entity: '10.0.0-1' },
        window: { from: { text: '14:02' }, to: { text: 'end' } },
      },
      check: { kind: 'compare', op: '!=', value: '0' },
    });
  });

  it('reads value … at, within … of, and exponents', () => {
    expect(parseAssertion('value(active_conn@vm-a) at 32m within 1e-3 of 1.5e3')).toEqual({
      measure: {
        kind: 'call',
        fn: 'value',
        arg: { kind: 'name', name: 'active_conn', entity: 'vm-a' },
        at: { text: '32m' },
      },
      check: { kind: 'within', tolerance: '1e-3', value: '1.5e3' },
    });
  });

  it('nests a per-run measure inside a seed aggregate and lists seeds in order without duplicates', () => {
    const a = parseAssertion('p90(max(reset_out) over [2m, 3m]) < 10 across seeds 5, 1..3, 2');
    expect(a.seeds).toEqual([5, 1, 2, 3]);
    expect(a.measure).toMatchObject({
      kind: 'call',
      fn: 'p90',
      arg: { kind: 'call', fn: 'max', window: { from: { text: '2m' } } },
    });
  });

  it('gives the same tree for the prefix and the suffix form', () => {
    expect(parseAssertion('across seeds 1..3: errors.total == 0')).toEqual(
      parseAssertion('errors.total == 0 across seeds 1..3'),
    );
  });
});
