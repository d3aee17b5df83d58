/** Seed "The Load Balancer Lied": the health-check cascade and the check settings that fix it. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../sim/result.js';
import type { TraceOf } from '../../sim/trace/records.js';
import { mean, runBuiltin, window } from '../model/helpers.js';
import { recordsOf } from '../trace/records-of.js';

/** One run of hc-cascade, shared by its own tests and the comparison with hc-cascade-safe. */
let cascade: RunResult;
beforeAll(() => {
  cascade = runBuiltin('hc-cascade');
});

describe('hc-cascade (metastable failure)', () => {
  const pause = 60;
  let r: RunResult;
  let downs: TraceOf<'hc.down'>[] = [];
  beforeAll(() => {
    r = cascade;
    downs = recordsOf(r, 'hc.down');
  });

  it('after one 300 ms pause on vm-a, backends are removed one after another until none is left within ~90 s', () => {
    expect(
      recordsOf(r, 'app.pause').find((p) => p.cause === 'stop-the-world' && Math.round(p.duration * 1000) === 300)?.t,
    ).toBe(pause);
    const firstFive = new Set<string>();
    let noneLeftAt = -1;
    for (const down of downs) {
      firstFive.add(down.backend);
      if (down.active === 0) {
        noneLeftAt = down.t;
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

  it("without `option abortonclose` (HAProxy's default) the load drop does not end it: the connects of clients already gone go on and refill the queues", () => {
    expect(mean(window(r, 'goodput', 800, 899))).toBeLessThan(100);
  });

  it('with lb.abortonclose it recovers only when the load changes, and then serves the same 1000 req/s again: no full collection comes back to start it over', () => {
    const r = runBuiltin('hc-cascade', undefined, ['lb.abortonclose=true']);
    expect(mean(window(r, 'goodput', 800, 899))).toBeGreaterThan(350);
    expect(mean(window(r, 'goodput', 910, 1199))).toBeGreaterThan(980);
    // The old generations (app.gc.heap) still hold the outage's garbage, but at 200 req/s per
    // backend each request's data dies in a survivor space: nothing is promoted, so none fills.
    // Before session 30 the model promoted everything live at every young collection and the
    // next full collection tipped the system over again (seed 1 at 10:18:12).
    const fullsAfter = recordsOf(r, 'app.gc').filter((g) => g.t > 910 && g.collection === 'full');
    expect(fullsAfter).toHaveLength(0);
    expect(recordsOf(r, 'hc.down').filter((d) => d.t > 910)).toHaveLength(0);
  });
});

describe('hc-cascade-safe and hc-cascade-fixed', () => {
  it('safe check settings alone delay the first removal but, in this model, the retry storm still sustains an outage', () => {
    const safe = runBuiltin('hc-cascade-safe');
    const firstDown = (r: typeof safe) => recordsOf(r, 'hc.down')[0]!.t;
    expect(firstDown(safe)).toBeGreaterThan(firstDown(cascade) + 10);
    // Still flapping: tens of removals (22 on seed 1, 12–32 over seeds 1–10 since session 24; 19 before it).
    expect(safe.figures['removals.total']!).toBeGreaterThan(10);
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
