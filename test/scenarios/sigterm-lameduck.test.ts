/**
 * The README row of `sigterm-closes-listener` / `sigterm-lameduck`: a graceful SIGTERM behind
 * HAProxy (inter 2s, fall 3) closes the listener before the checks notice, against the lame-duck
 * phase (`app.shutdown_delay: 6s`) that fails the health check first.
 */
import { describe, expect, it } from 'vitest';
import { runBuiltin } from '../model/helpers.js';
import { recordsOf } from '../trace/records-of.js';

describe('sigterm-closes-listener / sigterm-lameduck', () => {
  it('the SIGTERM alone fails 397 requests; with the 6-s delay none', () => {
    const closes = runBuiltin('sigterm-closes-listener');
    expect(closes.figures['errors.total']).toBe(397);
    const down = recordsOf(closes, 'hc.down');
    expect(down[0].reason).toContain('Connection refused');
    expect(down[0].t).toBeCloseTo(64.04, 2);
    const duck = runBuiltin('sigterm-lameduck');
    expect(duck.figures['errors.total'] ?? 0).toBe(0);
    // DOWN on three 503s (10:01:04.043), before the listener and nginx close at 10:01:06.
    const downs = recordsOf(duck, 'hc.down');
    expect(downs).toHaveLength(1);
    expect(downs[0].reason).toBe('Layer7 wrong status, code: 503');
    expect(downs[0].t).toBeCloseTo(64.043, 3);
    expect(recordsOf(duck, 'app.lame_duck_over')[0].t).toBeCloseTo(66, 6);
  });
});
