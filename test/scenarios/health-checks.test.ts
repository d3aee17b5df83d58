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

  it("it recovers only when the load changes and serves the same 1000 req/s again, until the next full GC of the outage's garbage starts it over", () => {
    expect(mean(window(r, 'goodput', 800, 899))).toBeGreaterThan(350);
    // Whether the restored 1000 req/s hold until that full GC depends on how the balancer's order
    // spread the backlog. Since open-loop requests cross clients.rtt (session 24: each attempt
    // reaches the balancer 45 ms after its client's connect, a timeout ends 30 ms sooner there, a
    // retry leaves 60 ms later) seeds 1 and 5 hold until theirs (1091.6 s, 1171.8 s) and seed 3
    // tips over again within seconds of the restore (392 req/s over 910–1070 s); before, seed 1
    // tipped over 6 s after the restore and seeds 3 and 5 held (1142 s, 1090 s).
    const shed = mean(window(r, 'goodput', 800, 899));
    expect(mean(window(r, 'goodput', 910, 1070))).toBeGreaterThan(900);
    // The old generations filled during the outage (app.gc.heap): a full collection past the
    // clients' 250 ms timeout comes within minutes and tips the system over again.
    const relapse = recordsOf(r, 'app.gc').find((g) => g.t > 910 && g.collection === 'full' && g.pause > 0.25);
    expect(relapse).toBeDefined();
    expect(mean(window(r, 'goodput', relapse!.t + 15, 1200))).toBeLessThan(0.3 * shed);
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
