/**
 * nginx's upstream address follows its configuration: a reload that points proxy_pass at
 * 127.0.0.1 (upstream_loopback true) makes the new connect()s loopback 4-tuples, where
 * tcp_tw_reuse=2 lets them take over TIME_WAIT ports (tcp_twsk_unique); before the fix the pair
 * was fixed when the kernel booted and a `set` could not change it.
 */
import { describe, expect, it } from 'vitest';
import { runBuiltin, window } from '../helpers.js';

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

describe('a reload can move nginx → app onto loopback', () => {
  it('after `set nginx.upstream_loopback=true` ports are reused and EADDRNOTAVAIL stops', () => {
    const base = runBuiltin('upstream-port-exhaustion');
    // The scenario starts at 11:00:00; the exhaustion begins about 60 s in. Reload at 11:02.
    const r = runBuiltin('upstream-port-exhaustion', 1, [
      'timeline=[{"at":"11:02","do":"set","nginx":{"upstream_loopback":true}}]',
    ]);
    const late = (x: typeof r, name: string): number => sum(window(x, name, 130, 180, 'vm-a'));
    expect(late(base, 'upstream_eaddrnotavail')).toBeGreaterThan(100);
    expect(late(base, 'tw_reused')).toBe(0);
    expect(late(r, 'tw_reused')).toBeGreaterThan(1000);
    expect(late(r, 'upstream_eaddrnotavail')).toBe(0);
  });
});
