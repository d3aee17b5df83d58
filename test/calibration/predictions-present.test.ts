/**
 * A held-out round's test skips its rows when its predictions file is missing (a round not yet
 * predicted), so deleting a recorded round's file would turn its rows, and its blindness check,
 * into silent skips (review28 #3). Every predictions file a round's test names must exist; the
 * blindness test (heldout-rows.ts) then checks it byte for byte at its blind commit.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIR = 'test/calibration';
const NAMED = /'(calibration\/data\/[\w.-]+-predictions\.json)'/g;

/** Each predictions file named in a round's test, with the test naming it. */
function namedPredictions(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const file of readdirSync(DIR)
    .filter((f) => f.endsWith('.test.ts'))
    .sort()) {
    for (const [, path] of readFileSync(join(DIR, file), 'utf8').matchAll(NAMED)) out.push([path!, file]);
  }
  return out;
}

describe('every held-out round names predictions files that exist', () => {
  it('finds the rounds (7-14 name at least 15 files)', () => {
    expect(namedPredictions().length).toBeGreaterThanOrEqual(15);
  });

  it('each named predictions file is there', () => {
    const missing = namedPredictions().filter(([path]) => !existsSync(path));
    expect(missing, 'predictions files named by a round test but missing (restore them from git)').toEqual([]);
  });
});
