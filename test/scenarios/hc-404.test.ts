/**
 * The README row of `hc-404-hard-stop` / `hc-404-drain`: HAProxy's health-check drain
 * (`http-check disable-on-404`) before a kill, against the kill alone.
 */
import { describe, expect, it } from 'vitest';
import { runBuiltin } from '../model/helpers.js';
import { recordsOf } from '../trace/records-of.js';

describe('hc-404-hard-stop / hc-404-drain', () => {
  it('the kill alone fails 406 requests; after the 404 drain it fails none', () => {
    const hard = runBuiltin('hc-404-hard-stop');
    expect(hard.figures['errors.total']).toBe(406);
    const drained = runBuiltin('hc-404-drain');
    expect(drained.figures['errors.total'] ?? 0).toBe(0);
    // NOLB at vm-a's first check after the file (10:00:30.026), not after `fall`.
    const stopping = recordsOf(drained, 'hc.stopping');
    expect(stopping).toHaveLength(1);
    expect(stopping[0].t).toBeCloseTo(30.026, 3);
    // The DOWN after the kill: 3 refused checks, 4 s later, with nothing left on vm-a.
    const downs = recordsOf(drained, 'hc.down');
    expect(downs).toHaveLength(1);
    expect(downs[0].sessions).toBe(0);
    expect(recordsOf(hard, 'hc.down')[0].t).toBeCloseTo(64.04, 2);
  });
});
