/** Seed "The Load Balancer Lied": health checks that lie, cascade, and the fixes. */
import { describe, expect, it } from 'vitest';
import { mean, runBuiltin, valueAt, window } from '../model/helpers.js';

/** One run of hc-cascade, shared by its own tests and the comparison with hc-cascade-safe. */
const cascade = runBuiltin('hc-cascade');

describe('hc-cascade (metastable failure)', () => {
  const r = cascade;
  const pause = 60;
  const downLines = r.events.filter((l) => l.source === 'hc' && / is DOWN, /.test(l.text));

  it('after one 300 ms pause on vm-a, backends are removed one after another until none is left within ~90 s', () => {
    expect(r.events.find((l) => l.source === 'app' && /pause 300ms/.test(l.text))?.t).toBe(pause);
    const firstFive = new Set<string>();
    let noneLeftAt = -1;
    for (const l of downLines) {
      firstFive.add(/Server be\/(\S+) is DOWN/.exec(l.text)![1]);
      if (/ 0 active and 0 backup servers left/.test(l.text)) {
        noneLeftAt = l.t;
        break;
      }
    }
    expect(firstFive.size).toBe(5);
    expect(noneLeftAt - pause).toBeGreaterThan(0);
    expect(noneLeftAt - pause).toBeLessThanOrEqual(90);
  });

  it('the outage outlives its trigger: goodput stays near zero for minutes after the pause ended (hysteresis)', () => {
    const before = mean(window(r, 'goodput', 10, 59));
    const after = mean(window(r, 'goodput', pause + 60, 779));
    expect(before).toBeGreaterThan(900);
    expect(after).toBeLessThan(0.1 * before);
    expect(r.figures['wasted.total']!).toBeGreaterThan(10_000);
  });

  it('it recovers only when the load changes, and then serves the same 1000 req/s that it could not before', () => {
    const shed = mean(window(r, 'goodput', 800, 899));
    expect(shed).toBeGreaterThan(350);
    const sameLoadAfter = mean(window(r, 'goodput', 960, 1200));
    expect(sameLoadAfter).toBeGreaterThan(900);
    expect(valueAt(r, 'in_service', 1200)).toBe(5);
  });

  it.each([1, 2])('without the pause the same system is stable for an hour, seed %i (the trigger matters, not just the load)', (seed) => {
    const calm = runBuiltin('hc-cascade', seed, ['timeline=[]', 'horizon=1h', 'expect=[]']);
    expect(calm.figures['removals.total']).toBe(0);
    expect(calm.figures['req_failed.total']).toBe(0);
  });

  it.each([2, 3])('the pause tips it over on other seeds too, seed %i', (seed) => {
    const other = runBuiltin('hc-cascade', seed, ['horizon=4m', 'timeline=[{at: "10:01", do: pause, backend: vm-a, duration: 300ms}]', 'expect=[]']);
    expect(mean(window(other, 'goodput', pause + 60, 239))).toBeLessThan(100);
  });
});

describe('hc-cascade-safe and hc-cascade-fixed', () => {
  it('safe check settings alone delay the first removal but, in this model, the retry storm still sustains an outage', () => {
    const safe = runBuiltin('hc-cascade-safe');
    const firstDown = (r: typeof safe) => r.events.find((l) => l.source === 'hc' && / is DOWN, /.test(l.text))!.t;
    expect(firstDown(safe)).toBeGreaterThan(firstDown(cascade) + 10);
    expect(safe.figures['removals.total']!).toBeGreaterThan(20);
    expect(safe.figures['removals.total']!).toBeLessThan(cascade.figures['removals.total']! / 3);
    expect(mean(window(safe, 'goodput', 120, 779))).toBeLessThan(0.15 * mean(window(safe, 'goodput', 10, 59)));
  });

  it('safe checks plus a client timeout that does not abandon queued work: the pause removes nothing', () => {
    const fixed = runBuiltin('hc-cascade-fixed');
    expect(fixed.figures['removals.total']).toBe(0);
    expect(fixed.figures['req_failed.total']).toBe(0);
    expect(fixed.figures['goodput.total']!).toBeGreaterThan(0.999 * fixed.figures['offered.total']!);
  });
});

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

  it('deep-check-slow-db: a slow (not down) database removes every backend: total outage', () => {
    const r = runBuiltin('deep-check-slow-db');
    expect(valueAt(r, 'in_service', 100)).toBe(0);
    expect(r.events.some((l) => l.text === "backend 'be' has no server available!")).toBe(true);
    expect(mean(window(r, 'goodput', 100, 240))).toBeLessThan(0.2 * mean(window(r, 'goodput', 10, 59)));
  });

  it('split-probes: the broken backend leaves, the slow database removes nobody', () => {
    const r = runBuiltin('split-probes');
    expect(valueAt(r, 'in_service', 100, 'vm-b')).toBe(0);
    expect(r.figures['removals.total']).toBe(1);
    for (const b of ['vm-a', 'vm-c']) for (let t = 181; t < 300; t += 10) expect(valueAt(r, 'in_service', t, b)).toBe(1);
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
