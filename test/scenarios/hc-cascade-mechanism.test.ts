/**
 * What carries hc-cascade in the model, and what the health-check settings can and cannot
 * change. These runs vary one thing at a time from the built-in scenario; they back the
 * README's note on the seed's figures (and the open question on issue #4).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../sim/result.js';
import { mean, runBuiltin, window } from '../model/helpers.js';
import { recordsOf } from '../trace/records-of.js';

const PAUSE_AT = 60; // 10:01 in every run below
const sixMinutes = (stall: string) => [
  'horizon=6m',
  `timeline=[{at: "10:01", do: pause, backend: vm-a, duration: ${stall}}]`,
];
const goodputAfter = (r: RunResult) => mean(window(r, 'goodput', PAUSE_AT + 60, 359));
const removals = (r: RunResult) => r.figures['removals.total']!;

describe('hc-cascade: the outage is carried by the clients, not by the checks', () => {
  it('clients whose timeout outlasts the 300 ms pause see nothing: the pause delays a 1 s check by ~0.3 s, so nothing is removed', () => {
    // Queueing bound: the backlog a 300 ms stop builds is 300 ms of arrivals, served at more
    // than the arrival rate, so no request or check waits much more than 0.3 s.
    const r = runBuiltin('hc-cascade', undefined, [...sixMinutes('300ms'), 'clients.requests.timeout=400ms']);
    expect(removals(r)).toBe(0);
    expect(r.figures['req_failed.total']).toBe(0);
    expect(goodputAfter(r)).toBeGreaterThan(990);
  });

  it('with no health checks at all, the same clients still collapse the system after the pause (retry storm + stale work)', () => {
    const r = runBuiltin('hc-cascade', undefined, [...sixMinutes('300ms'), 'health_check.fall=1000000']);
    expect(removals(r)).toBe(0);
    expect(mean(window(r, 'goodput', 10, PAUSE_AT - 1))).toBeGreaterThan(900);
    expect(goodputAfter(r)).toBeLessThan(50);
    expect(r.figures['wasted.total']!).toBeGreaterThan(100_000);
  });
});

describe('a 1.2 s stall (the check duration the seed reports) with 1 s client timeouts', () => {
  const clients = ['clients.requests.timeout=1s'];
  let aggressive: RunResult;
  beforeAll(() => {
    aggressive = runBuiltin('hc-cascade', undefined, [...sixMinutes('1200ms'), ...clients]);
  });
  let safe: RunResult;
  beforeAll(() => {
    safe = runBuiltin('hc-cascade-safe', undefined, [...sixMinutes('1200ms'), ...clients]);
  });

  it('the 1 s / fall 2 checks remove vm-a once, its stale backlog is shed, and the service stays up', () => {
    expect(removals(aggressive)).toBe(1);
    expect(goodputAfter(aggressive)).toBeGreaterThan(990);
  });

  it('the safe checks never fail on the stall itself, keep vm-a in service behind its backlog, and the stale work spreads into an outage', () => {
    // The cost side of the seed's trade-off ("safe detection = slower failover"), made concrete.
    const [firstDown] = recordsOf(safe, 'hc.down');
    expect(firstDown!.t - PAUSE_AT).toBeGreaterThan(10);
    expect(removals(safe)).toBeGreaterThan(20);
    expect(goodputAfter(safe)).toBeLessThan(0.3 * goodputAfter(aggressive));
  });
});
