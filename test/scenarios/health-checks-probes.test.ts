/** Seed "The Load Balancer Lied": shallow vs deep checks, split probes, L4 vs L7 (split from health-checks.test.ts). */
import { describe, expect, it } from 'vitest';
import { mean, runBuiltin, valueAt, window } from '../model/helpers.js';
import { recordsOf } from '../trace/records-of.js';

describe('lb-lied, deep checks and split probes', () => {
  it('lb-lied: the shallow check stays green while every request vm-b serves is a 500', () => {
    const r = runBuiltin('lb-lied');
    for (let t = 61; t < 240; t += 10) expect(valueAt(r, 'in_service', t, 'vm-b')).toBe(1);
    const served = r.figures['vm-b.errors.total']!;
    expect(served).toBeGreaterThan(15_000);
    expect(r.figures['errors.total']).toBe(served);
    expect(r.figures['removals.total']).toBe(0);
  });

  it('a deep check removes the broken backend within seconds and the errors stop', () => {
    const r = runBuiltin('lb-lied-deep-check');
    expect(valueAt(r, 'in_service', 75, 'vm-b')).toBe(0);
    expect(r.figures['errors.total']!).toBeLessThan(1000);
    expect(mean(window(r, 'errors', 80, 240))).toBe(0);
  });

  it('deep-check-slow-db: a slow (not down) database removes the backends again and again: mostly 503s', () => {
    // HAProxy 2.6 waits for a connected check's answer until min(inter, timeout connect) = 2 s
    // whatever `timeout check 1s` says (HealthChecker.answerDeadline(), measured in
    // calibration/data/haproxy-holdout-hang-tcheck-http.json): the queries' 1.5–3 s fail most
    // checks, not all, so backends come back now and then — fewer than one in service on average.
    const r = runBuiltin('deep-check-slow-db');
    // Every backend out at times (no single instant: which is back when depends on the order the
    // balancer spreads requests over the slow DB, e.g. fwrr's since session 13).
    expect(Math.min(...window(r, 'in_service', 100, 240))).toBe(0);
    expect(recordsOf(r, 'hc.no_server')).not.toHaveLength(0);
    expect(mean(window(r, 'in_service', 100, 240))).toBeLessThan(1);
    expect(mean(window(r, 'goodput', 100, 240))).toBeLessThan(0.5 * mean(window(r, 'goodput', 10, 59)));
  });

  it('split-probes: the broken backend leaves, the slow database removes nobody', () => {
    const r = runBuiltin('split-probes');
    expect(valueAt(r, 'in_service', 100, 'vm-b')).toBe(0);
    expect(r.figures['removals.total']).toBe(1);
    for (const b of ['vm-a', 'vm-c'])
      for (let t = 181; t < 300; t += 10) expect(valueAt(r, 'in_service', t, b)).toBe(1);
    expect(r.figures['restarts.total']).toBe(0);
  });
});

describe('L4 vs L7: the same broken backend', () => {
  it('an L4 balancer with TCP checks sees it healthy and passes its 500s to clients', () => {
    const r = runBuiltin('lb-lied', undefined, ['lb.mode=l4', 'health_check.type=tcp']);
    expect(valueAt(r, 'in_service', 200, 'vm-b')).toBe(1);
    expect(r.figures['errors.total']!).toBeGreaterThan(15_000);
  });

  it('an L7 balancer retrying 5xx without redispatch retries the same broken backend: clients still get its 500s', () => {
    // HAProxy's default: retries go to the server that failed; lb-lied has lb.retries 3.
    const r = runBuiltin('lb-lied', undefined, ['lb.retry_on_5xx=true']);
    expect(r.figures['req_5xx.total']!).toBeGreaterThan(4 * 15_000);
    expect(r.figures['errors.total']!).toBeGreaterThan(15_000);
  });

  it('an L7 balancer with retry-on 5xx and redispatch sends the last retry to another backend: clients see none', () => {
    const r = runBuiltin('lb-lied', undefined, ['lb.retry_on_5xx=true', 'lb.redispatch=true']);
    expect(r.figures['req_5xx.total']!).toBeGreaterThan(15_000);
    expect(r.figures['errors.total']).toBe(0);
    expect(r.figures['req_failed.total']).toBe(0);
    // Only the requests still in flight when the run ends are not answered.
    expect(r.figures['offered.total']! - r.figures['goodput.total']!).toBeLessThan(10);
  });
});
