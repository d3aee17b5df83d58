/**
 * lb.mode nat with balance leastconn is IPVS wlc: ip_vs_wlc_schedule()
 * (net/netfilter/ipvs/ip_vs_wlc.c) takes the first usable destination and replaces it only on a
 * strict `loh * dest->weight > doh * least->weight`, so among equal loads the first in list order
 * wins — every time, no rotation (lb/pool.ts natLeastConn). Before session 27 ties went round
 * robin from a cursor, which spread sequential short flows over all targets. These picks see no
 * closed flow's entry (no natFlowClosed): in a run a close leaves one, inactive, and breaks the tie
 * (nat-wlc-inactive.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../sim/engine/random.js';
import { LoadBalancer } from '../../../sim/model/lb/pool.js';
import { ScenarioSchema } from '../../../sim/scenario/schema.js';

function wlc(count: number): LoadBalancer {
  return new LoadBalancer(ScenarioSchema.parse({ lb: { mode: 'nat', balance: 'leastconn' } }).lb, count);
}

describe('IPVS wlc ties (ip_vs_wlc_schedule)', () => {
  it('sequential flows, each done before the next: all to the first target', () => {
    const lb = wlc(3);
    const rng = new RandomStreams(1).stream('lb.nat-pick');
    const counts = [0, 0, 0];
    for (let i = 0; i < 30; i++) {
      const b = lb.pick(rng, 0);
      counts[b]++;
      lb.takeConn(b);
      lb.dropConn(b);
    }
    expect(counts).toEqual([30, 0, 0]);
  });

  it('concurrent flows fill the least loaded; equal loads go to the earliest in the list', () => {
    const lb = wlc(3);
    const rng = new RandomStreams(1).stream('lb.nat-pick');
    const order: number[] = [];
    for (let i = 0; i < 6; i++) {
      const b = lb.pick(rng, 0);
      order.push(b);
      lb.takeConn(b);
    }
    expect(order).toEqual([0, 1, 2, 0, 1, 2]);
    // vm-b's flow ends: it is the only least loaded one.
    lb.dropConn(1);
    expect(lb.pick(rng, 0)).toBe(1);
    // With it on vm-b, a flow of vm-c's and one of vm-a's end: they tie at 1 (vm-b at 2), vm-a is first.
    lb.takeConn(1);
    lb.dropConn(2);
    lb.dropConn(0);
    expect(lb.pick(rng, 0)).toBe(0);
    expect(lb.pick(rng, 0)).toBe(0);
  });

  it('weights: flows per weight, a tie to the earlier target (weights 2, 1: 2 flows on vm-a tie 1 on vm-b)', () => {
    const lb = wlc(2);
    lb.baseWeight.set([2, 1]);
    lb.setWeight(0, 2);
    lb.setWeight(1, 1);
    const rng = new RandomStreams(1).stream('lb.nat-pick');
    lb.takeConn(0);
    lb.takeConn(0);
    lb.takeConn(1);
    expect(lb.pick(rng, 0)).toBe(0);
    expect(lb.pick(rng, 0)).toBe(0);
  });
});
