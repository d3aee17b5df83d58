import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvRecord } from '../../reports/csv-cell.js';

// timeline.csv was written by csv-stringify; its hand-written replacement must agree byte for byte.
const cell = fc.oneof(
  fc.constant(null),
  fc.double(),
  fc.integer(),
  fc.string(),
  fc.constantFrom('vm-a', 'a,b', 'say "hi"', 'two\nlines', 'cr\r', '', '-1', '=x', ' spaced '),
);

describe('csvRecord', () => {
  it('writes what csv-stringify writes with its defaults', () => {
    fc.assert(
      fc.property(fc.array(cell, { minLength: 1, maxLength: 8 }), (cells) => {
        expect(csvRecord(cells)).toBe(stringify([cells]));
      }),
      { numRuns: 2000 },
    );
  });

  it('quotes a cell with a comma, quote or line break and doubles its quotes', () => {
    expect(csvRecord(['a,b', 'say "hi"', 'x\ny', 1.5, null])).toBe('"a,b","say ""hi""","x\ny",1.5,\n');
  });
});
