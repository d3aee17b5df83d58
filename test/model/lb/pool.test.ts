/** The balancer's pool and balance algorithms, without a run. */
import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../sim/engine/random.js';
import { BackendSet } from '../../../sim/model/core/backend-set.js';
import { LoadBalancer, PoolState } from '../../../sim/model/lb/pool.js';
import { ScenarioSchema } from '../../../sim/scenario/schema.js';

type Balance = 'roundrobin' | 'leastconn' | 'random' | 'source' | 'source consistent';

/** `source consistent`: balance source with hash-type consistent (the ring). */
function pool(balance: Balance, count: number): LoadBalancer {
  const lb = ScenarioSchema.parse({}).lb;
  if (balance === 'source consistent')
    return new LoadBalancer({ ...lb, balance: 'source', hash_type: 'consistent' }, count);
  return new LoadBalancer({ ...lb, balance }, count);
}

const rng = () => new RandomStreams(7).stream('test.pick');

function tally(lb: LoadBalancer, picks: number, pick: () => number): number[] {
  const counts = new Array<number>(lb.count).fill(0);
  for (let i = 0; i < picks; i++) counts[pick()]++;
  return counts;
}

/** The picked server takes the stream (its `served` grows, as sess_change_server() does after a pick). */
function taking(lb: LoadBalancer, b: number): number {
  if (b >= 0) lb.takeConn(b);
  return b;
}

describe('LoadBalancer.pick', () => {
  it('round robin follows the weights (fwrr in l4/l7: 1/2/3 over 600 picks is exact)', () => {
    const lb = pool('roundrobin', 3);
    lb.weight.set([1, 2, 3]);
    const r = rng();
    expect(tally(lb, 600, () => lb.pick(r, 0))).toEqual([100, 200, 300]);
  });

  it('leastconn picks the backend with the fewest flows per weight', () => {
    const lb = pool('leastconn', 3);
    [5, 2, 9].forEach((n, b) => {
      for (let k = 0; k < n; k++) lb.takeConn(b);
    });
    expect(lb.pick(rng(), 0)).toBe(1);
    lb.setWeight(1, 0.25);
    expect(lb.pick(rng(), 0)).toBe(0);
  });

  it('source hashing sends one client address to one backend', () => {
    const lb = pool('source', 8);
    const r = rng();
    const first = lb.pick(r, 12345);
    for (let i = 0; i < 20; i++) expect(lb.pick(r, 12345)).toBe(first);
  });

  it('only BOUND backends in service with weight get new flows', () => {
    const lb = pool('roundrobin', 4);
    lb.setPoolState(0, PoolState.DRAINING);
    lb.setPoolState(1, PoolState.DETACHED);
    lb.setHealth(2, false);
    const r = rng();
    expect(tally(lb, 10, () => lb.pick(r, 0))).toEqual([0, 0, 0, 10]);
    lb.setReady(3, false);
    expect(lb.pick(r, 0)).toBe(-1);
  });

  // Map-based source avoids nothing (map_get_server_hash(), src/lb_map.c: source-hash.test.ts);
  // the ring does (chash_get_server_hash()).
  it.each(['roundrobin', 'leastconn', 'random', 'source consistent'] as const)(
    '%s never picks an excluded backend, also past index 31',
    (balance) => {
      const lb = pool(balance, 64);
      for (let b = 0; b < 64; b++) if (b !== 8 && b !== 40) lb.setPoolState(b, PoolState.DETACHED);
      // With a 32-bit mask, excluding 40 would exclude 8 (1 << 40 === 1 << 8).
      const tried = new BackendSet().only(40);
      const r = rng();
      for (let i = 0; i < 50; i++) expect(taking(lb, lb.pick(r, i, tried.members))).toBe(8);
      // The exclusion lasts one pick: the next picks without it reach backend 40 again.
      let ip = 0;
      expect(tally(lb, 50, () => taking(lb, lb.pick(r, ip++)))[40]).toBeGreaterThan(0);
    },
  );

  it.each(['roundrobin', 'leastconn', 'random', 'source consistent'] as const)(
    '%s excludes every member of a set, the overflow list too',
    (balance) => {
      const lb = pool(balance, 6);
      const tried = new BackendSet();
      for (const b of [0, 2, 3, 5]) tried.add(b);
      const r = rng();
      const picked = new Set<number>();
      for (let i = 0; i < 60; i++) picked.add(taking(lb, lb.pick(r, i, tried.members)));
      expect([...picked].sort()).toEqual([1, 4]);
    },
  );

  it("round robin: a redispatch uses up the avoided server's turn, so the next flow tries it again (fwrr_get_next_server)", () => {
    // HAProxy requeues an avoided server "just as if [it was] consumed" (src/lb_fwrr.c): with s1
    // failing and option redispatch, every new stream goes to s1 first, then to s2.
    const lb = pool('roundrobin', 2);
    const r = rng();
    const tried = new BackendSet().only(0);
    const seq: number[] = [];
    for (let i = 0; i < 6; i++) {
      const first = lb.pick(r, 0);
      seq.push(first);
      if (first === 0) seq.push(lb.pick(r, 0, tried.members));
    }
    expect(seq).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
    // Three servers, s1 failing: s1 (→ s2), s3, s1 (→ s2), s3 … as fwrr's order s1, s2, s3 gives.
    const three = pool('roundrobin', 3);
    const order: number[] = [];
    for (let i = 0; i < 4; i++) {
      const first = three.pick(r, 0);
      order.push(first);
      if (first === 0) order.push(three.pick(r, 0, tried.members));
    }
    expect(order).toEqual([0, 1, 2, 0, 1, 2]);
  });
});
