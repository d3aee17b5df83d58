/**
 * A haproxy.cfg whose pool has no `timeout connect` (its own or a defaults section's): HAProxy
 * warns "missing timeouts" and src/cfgparse.c leaves timeout.connect 0 (and an unset timeout.queue
 * with it), for which tick_add_ifset() arms no expiry — a connect, or a request queued for a slot,
 * never times out. `drainsim import` says so and writes lb.connect_timeout infinite (review52
 * MEDIUM 1; before, the scenario's 5-s default applied without a word). `timeout connect 0` is the
 * same (before: a zero duration, 0s).
 */
import { describe, expect, it } from 'vitest';
import { importCfg, valueAt } from './read-fixture.js';

const cfg = (...lines: string[]): string =>
  ['defaults', '  mode http', ...lines, 'backend be', '  server a 10.0.0.1:80 check', ''].join('\n');

describe('haproxy.cfg without timeout connect', () => {
  it('warns at the pool and imports lb.connect_timeout infinite', () => {
    const into = importCfg(cfg('  timeout client 30s', '  timeout server 30s'));
    expect(valueAt(into, 'lb.connect_timeout')).toBe('infinite');
    expect(into.warnings).toEqual([
      expect.stringMatching(/^h\.cfg:5: no `timeout connect`: HAProxy warns 'missing timeouts'.*infinite/),
    ]);
    expect(into.render('')).toContain('connect_timeout: infinite # from h.cfg:5');
  });

  it('timeout connect 0 is no timeout too; a written one is imported without a word', () => {
    const zero = importCfg(cfg('  timeout connect 0'));
    expect(valueAt(zero, 'lb.connect_timeout')).toBe('infinite');
    expect(zero.warnings.join('\n')).not.toContain('no `timeout connect`');
    const set = importCfg(cfg('  timeout connect 4s'));
    expect(valueAt(set, 'lb.connect_timeout')).toBe('4s');
    expect(set.warnings).toEqual([]);
  });
});
