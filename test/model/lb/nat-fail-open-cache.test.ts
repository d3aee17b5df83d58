/**
 * The NLB fail-open (lb/pool.ts natFailsOpen: "If all targets fail health checks at the same time
 * … the load balancer fails open", NLB docs, target-group-health-checks) counts the targets the
 * group routes to: registered (bound), ready and with a weight. Its cached answer must be
 * recomputed by every verb that changes one of those: review45 N6 (setPoolState) and N7 (setReady)
 * kept a "no" cached from before the last healthy target was drained or went NotReady, so new
 * flows found no target; N4: a weight-0 target UP by its checks takes no flow, so it must not
 * keep the group from failing open.
 */
import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../sim/engine/random.js';
import { LoadBalancer, PoolState } from '../../../sim/model/lb/pool.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { ScenarioSchema } from '../../../sim/scenario/schema.js';
import { run, window } from '../helpers.js';

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

/** Three bound, ready targets; vm-a and vm-b DOWN by their checks (a 404), vm-c UP: no fail-open yet. */
function twoDown(): LoadBalancer {
  const lb = new LoadBalancer({ ...ScenarioSchema.parse({}).lb, mode: 'nat', nat_scheduler: 'random' }, 3);
  for (let b = 0; b < 3; b++) {
    lb.setReady(b, true);
    lb.setPoolState(b, PoolState.BOUND);
    lb.setHealth(b, b === 2);
  }
  // A flow picked now reads (and caches) the answer: vm-c is healthy, no fail-open.
  expect(lb.natFailsOpen()).toBe(false);
  const r = new RandomStreams(7).stream('test.pick');
  for (let i = 0; i < 20; i++) expect(lb.pick(r, 0)).toBe(2);
  return lb;
}

/** New flows after the change: all on the DOWN vm-a and vm-b, both taking some. */
function expectFailsOpenOntoDown(lb: LoadBalancer): void {
  expect(lb.natFailsOpen()).toBe(true);
  const r = new RandomStreams(7).stream('test.pick.after');
  const seen = [0, 0, 0];
  for (let i = 0; i < 200; i++) {
    const b = lb.pick(r, 0);
    expect(b === 0 || b === 1).toBe(true);
    seen[b]++;
  }
  expect(seen[0]).toBeGreaterThan(50);
  expect(seen[1]).toBeGreaterThan(50);
}

describe('NLB fail-open follows the targets the group routes to', () => {
  it('the last healthy target drained (deregistered): new flows fail open onto the DOWN ones', () => {
    const lb = twoDown();
    lb.setPoolState(2, PoolState.DRAINING);
    expectFailsOpenOntoDown(lb);
  });

  it('the last healthy target NotReady (its endpoint removed): new flows fail open onto the DOWN ones', () => {
    const lb = twoDown();
    lb.setReady(2, false);
    expectFailsOpenOntoDown(lb);
  });

  it('a weight-0 target UP by its checks does not keep the group from failing open', () => {
    const lb = twoDown();
    lb.setWeight(2, 0);
    expectFailsOpenOntoDown(lb);
  });

  it('in a run: vm-a and vm-b fail their checks (404), vm-c is drained — new flows fail open onto vm-a and vm-b', () => {
    const r = run({
      warmup: '0s',
      horizon: '30s',
      clients: {
        http: { arrival_rate: 20, requests_per_connection: 'const(1)', think_time: 'const(10ms)', retries: 0 },
      },
      lb: { mode: 'nat' },
      health_check: { type: 'http', inter: '1s', fall: 3, rise: 2 },
      backends: [{ name: 'vm-a' }, { name: 'vm-b' }, { name: 'vm-c' }],
      timeline: [
        { at: '5s', do: 'health_404', backend: 'vm-a' },
        { at: '5s', do: 'health_404', backend: 'vm-b' },
        { at: '15s', do: 'drain', backend: 'vm-c' },
      ],
    } as ScenarioInput);
    // Until 15 s vm-c alone takes new flows; after its drain the DOWN vm-a and vm-b take them all
    // (≈ 20/s × 14 s), none is refused. With the stale "no" (N6) every flow from 15 s found no target.
    expect(sum(window(r, 'new_conn', 10, 15, 'vm-c'))).toBeGreaterThan(80);
    expect(sum(window(r, 'new_conn', 16, 30, 'vm-a'))).toBeGreaterThan(100);
    expect(sum(window(r, 'new_conn', 16, 30, 'vm-b'))).toBeGreaterThan(100);
    expect(sum(window(r, 'new_conn', 16, 30, 'vm-c'))).toBe(0);
    expect(r.figures['errors.total'] ?? 0).toBe(0);
  });
});
