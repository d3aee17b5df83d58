/**
 * What carries hc-cascade in the model, and what the health-check settings can and cannot
 * change. These runs vary one thing at a time from the built-in scenario (which runs the JVM-like
 * heap of app.gc.heap, issue #13); they back the README's note on the seed's figures (and the open
 * question on issue #4).
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

let calmMemo: RunResult | undefined;
/** hc-cascade for six minutes, 300 ms pause, 400 ms client timeouts: read by two describes, run once. */
function calm(): RunResult {
  calmMemo ??= runBuiltin('hc-cascade', undefined, [...sixMinutes('300ms'), 'clients.requests.timeout=400ms']);
  return calmMemo;
}

describe('hc-cascade: the outage is carried by the clients, not by the checks', () => {
  it('clients whose timeout outlasts the 300 ms pause see nothing: the pause delays a 1 s check by ~0.3 s, so nothing is removed', () => {
    // Queueing bound: the backlog a 300 ms stop builds is 300 ms of arrivals, served at more
    // than the arrival rate, so no request or check waits much more than 0.3 s.
    const r = calm();
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
    // They fail later, when vm-a's backlog has spread (a handful of removals since a check's SYN
    // dropped by a full accept queue is retransmitted until timeout check's connect deadline).
    expect(removals(safe)).toBeGreaterThan(0);
    expect(goodputAfter(safe)).toBeLessThan(0.3 * goodputAfter(aggressive));
  });
});

describe('the JVM heap (app.gc.heap): an amplifier of overload, not its own trigger, and no lever for the checks', () => {
  const fullGcs = (r: RunResult) => recordsOf(r, 'app.gc').filter((g) => g.collection === 'full');

  it("in the cascade the queued requests' data makes young pauses ~10× longer, overflows the survivor spaces and brings full collections; without it none in 6 minutes", () => {
    const calmRun = calm();
    const cascade = runBuiltin('hc-cascade', undefined, sixMinutes('300ms'));
    // At 200 req/s per backend a request's data dies in the survivor space: nothing is promoted.
    expect(calmRun.figures['gc_full_pause.count']).toBe(0);
    expect(calmRun.figures['gc_young_pause.p99']!).toBeLessThan(0.03);
    // Hundreds queued per backend: 125 MB of request data against a 51.2 MB survivor space, the
    // rest promoted early (and the survivors at the next collection: threshold 1), so each
    // backend's old generation fills in about a minute (20 full collections by 10:06 on seed 1,
    // the first 68 s after the pause; 30+ before session 30, when all of it was promoted at every collection).
    expect(cascade.figures['gc_full_pause.count']!).toBeGreaterThan(15);
    expect(cascade.figures['gc_young_pause.p99']!).toBeGreaterThan(10 * calmRun.figures['gc_young_pause.p99']!);
    // A full collection marks the requests in flight too: longer than the 300 MB of long-lived data alone.
    expect(Math.max(...fullGcs(cascade).map((g) => g.pause))).toBeGreaterThan(0.35);
  });

  it('with no injected pause the heap is not its own trigger: 20 minutes at 200 req/s per backend promote nothing, so no full collection, no removal, no failure', () => {
    // Each request's data (0.25 MB, ~35 ms in the app) dies in the survivor space before the next
    // young collection (~2 s later); the tenuring threshold stays at 15. Before session 30 the
    // model promoted everything live at every young collection, and each backend's old
    // generation filled in ~11 minutes: its full collection (~0.3 s, past the clients' 250 ms)
    // started the outage with no injected pause.
    const r = runBuiltin('hc-cascade-safe', undefined, ['horizon=20m', 'timeline=[]', 'expect=[]']);
    expect(fullGcs(r)).toHaveLength(0);
    expect(r.figures['gc_young_pause.count']!).toBeGreaterThan(2500);
    expect(removals(r)).toBe(0);
    expect(r.figures['req_failed.total']).toBe(0);
  });
});
