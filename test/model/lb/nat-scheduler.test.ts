/**
 * lb.mode nat's choice of endpoint (`lb.nat_scheduler`): kube-proxy's iptables rules and an AWS
 * NLB draw each new flow's endpoint independently (random, the default); only IPVS rr rotates.
 */
import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../sim/engine/random.js';
import { LoadBalancer, natRandomPicks } from '../../../sim/model/lb/pool.js';
import { ScenarioSchema } from '../../../sim/scenario/schema.js';

function natPool(count: number, scheduler?: 'random' | 'rr'): LoadBalancer {
  const lb = ScenarioSchema.parse({ lb: { mode: 'nat', ...(scheduler ? { nat_scheduler: scheduler } : {}) } }).lb;
  return new LoadBalancer(lb, count);
}

function tally(lb: LoadBalancer, picks: number, seed: number): number[] {
  const rng = new RandomStreams(seed).stream('lb.nat-pick');
  const counts = new Array<number>(lb.count).fill(0);
  for (let i = 0; i < picks; i++) counts[lb.pick(rng, 0)]++;
  return counts;
}

describe('lb.nat_scheduler', () => {
  it('random (the default): 30 long-lived connections over 3 pods are not dealt 10/10/10 run after run', () => {
    let exact = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const counts = tally(natPool(3), 30, seed);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(30);
      if (counts.every((c) => c === 10)) exact++;
    }
    // Multinomial(30; 1/3, 1/3, 1/3) gives exactly 10/10/10 with probability ≈ 0.06: a handful at most of 20.
    expect(exact).toBeLessThanOrEqual(4);
  });

  it('random: each endpoint gets 1/n of many flows (chi-square, 2 degrees of freedom, below its 0.1% point)', () => {
    const picks = 30_000;
    const counts = tally(natPool(3), picks, 7);
    const expected = picks / 3;
    const chi2 = counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(13.8);
    // …and not the rotation's exact shares.
    expect(counts).not.toEqual([10_000, 10_000, 10_000]);
  });

  it('random: only usable endpoints are drawn, none when none is usable', () => {
    const lb = natPool(4);
    lb.setReady(1, false);
    lb.setReady(3, false);
    const counts = tally(lb, 1000, 3);
    expect(counts[1]).toBe(0);
    expect(counts[3]).toBe(0);
    expect(counts[0] + counts[2]).toBe(1000);
    lb.setReady(0, false);
    lb.setReady(2, false);
    expect(lb.pick(new RandomStreams(1).stream('lb.nat-pick'), 0)).toBe(-1);
  });

  it('random with weights: a weight w counts as w endpoints (weights 1/3: a quarter; 1/3/2: 1/6, 1/2, 1/3)', () => {
    // review45 N1: a draw over the endpoints' count instead of their weights gave each half.
    const two = natPool(2);
    two.weight.set([1, 3]);
    const counts = tally(two, 4000, 11);
    expect(counts[0] / 4000).toBeGreaterThan(0.22);
    expect(counts[0] / 4000).toBeLessThan(0.28);
    const three = natPool(3);
    three.weight.set([1, 3, 2]);
    const shares = tally(three, 6000, 12).map((c) => c / 6000);
    [1 / 6, 1 / 2, 1 / 3].forEach((share, b) => expect(Math.abs(shares[b] - share)).toBeLessThan(0.03));
  });

  it('rr (IPVS round robin) still deals exact shares in turn', () => {
    expect(tally(natPool(3, 'rr'), 30, 1)).toEqual([10, 10, 10]);
    const lb = natPool(3, 'rr');
    lb.weight.set([1, 2, 3]);
    expect(tally(lb, 600, 1)).toEqual([100, 200, 300]);
  });

  it('the draws come from their own stream, lb.nat-pick, only where the NAT draws', () => {
    const lbOf = (lb: object) => ScenarioSchema.parse({ lb }).lb;
    expect(natRandomPicks(lbOf({ mode: 'nat' }))).toBe(true);
    expect(natRandomPicks(lbOf({ mode: 'nat', nat_scheduler: 'rr' }))).toBe(false);
    expect(natRandomPicks(lbOf({ mode: 'nat', balance: 'leastconn' }))).toBe(false);
    expect(natRandomPicks(lbOf({ mode: 'l4' }))).toBe(false);
  });

  it('nat_scheduler is refused outside a NAT round robin', () => {
    expect(ScenarioSchema.safeParse({ lb: { mode: 'l4', nat_scheduler: 'rr' } }).success).toBe(false);
    expect(ScenarioSchema.safeParse({ lb: { mode: 'nat', balance: 'leastconn', nat_scheduler: 'rr' } }).success).toBe(
      false,
    );
    expect(ScenarioSchema.safeParse({ lb: { mode: 'nat', nat_scheduler: 'random' } }).success).toBe(true);
  });
});
