/**
 * HAProxy 2.6 `balance random`: get_server_rnd() (src/backend.c) draws statistical_prng() values
 * on the consistent-hash ring (chash_get_server_hash(), src/lb_chash.c), two draws, the less
 * loaded per weight kept, a tie to the later draw.
 */
import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../sim/engine/random.js';
import { LoadBalancer, PoolState } from '../../../sim/model/lb/pool.js';
import { fullHash } from '../../../sim/model/lb/source-hash.js';
import { ScenarioSchema } from '../../../sim/scenario/schema.js';

function pool(count: number, maxconn?: number, draws?: number): LoadBalancer {
  return new LoadBalancer(
    { ...ScenarioSchema.parse({}).lb, balance: 'random', maxconn, ...(draws ? { random_draws: draws } : {}) },
    count,
  );
}

/**
 * Each server's share of the 32-bit circle on the ring, computed apart from ConsistentRing: 16
 * points per weight unit at full_hash(puid × 4096 + k); a hash goes to the nearer of the points
 * around it (each gap split in half; the rounding of one value per gap is below 2^-20 here).
 */
function ringShares(weights: number[]): number[] {
  const points: Array<[number, number]> = [];
  weights.forEach((w, b) => {
    for (let k = 0; k < w * 16; k++) points.push([fullHash((b + 1) * 4096 + k), b]);
  });
  points.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const share = new Array<number>(weights.length).fill(0);
  for (let i = 0; i < points.length; i++) {
    const [key, b] = points[i];
    const [nextKey, nextB] = points[(i + 1) % points.length];
    const gap = (nextKey - key) >>> 0;
    share[b] += gap / 2 / 2 ** 32;
    share[nextB] += gap / 2 / 2 ** 32;
  }
  return share;
}

function sharesOf(lb: LoadBalancer, picks: number): number[] {
  const r = new RandomStreams(7).stream('test.pick');
  const counts = new Array<number>(lb.count).fill(0);
  for (let i = 0; i < picks; i++) counts[lb.pick(r, 0)]++;
  return counts.map((c) => c / picks);
}

describe('balance random on the chash ring (get_server_rnd)', () => {
  it('two equal idle servers: s1 gets its ring share (0.431), not half', () => {
    const ring = ringShares([1, 1]);
    expect(ring[0]).toBeCloseTo(0.431, 3);
    // Idle servers tie: the later draw is kept, so a pick is one ring draw.
    const s = sharesOf(pool(2), 40_000);
    expect(Math.abs(s[0] - ring[0])).toBeLessThan(0.01);
  });

  it('weights 1, 1, 2: the ring shares (0.247 / 0.249 / 0.504: close to the weights at these puids)', () => {
    const lb = pool(3);
    lb.weight.set([1, 1, 2]);
    lb.baseWeight.set([1, 1, 2]);
    const ring = ringShares([1, 1, 2]);
    const s = sharesOf(lb, 40_000);
    for (let b = 0; b < 3; b++) expect(Math.abs(s[b] - ring[b])).toBeLessThan(0.01);
  });

  it('the less loaded of the two draws wins: s1 busy is picked only when both draws land on it', () => {
    const lb = pool(2);
    lb.active.set([5, 0]);
    const p = ringShares([1, 1])[0];
    expect(Math.abs(sharesOf(lb, 40_000)[0] - p * p)).toBeLessThan(0.01);
  });

  it('a drained server has no points: every draw lands on the other', () => {
    const lb = pool(2);
    lb.setPoolState(0, PoolState.DRAINING);
    expect(sharesOf(lb, 1000)).toEqual([0, 1]);
  });

  it('a full server stays on the ring: drawn twice, the stream goes to the backend queue (-1)', () => {
    // get_server_rnd(): `served >= srv_dynamic_maxconn(curr)` → NULL, the backend queue.
    const lb = pool(2, 1);
    lb.active.set([1, 0]);
    const r = new RandomStreams(7).stream('test.pick');
    let none = 0;
    for (let i = 0; i < 40_000; i++) if (lb.pick(r, 0) < 0) none++;
    const p = ringShares([1, 1])[0];
    expect(Math.abs(none / 40_000 - p * p)).toBeLessThan(0.01);
  });
});

describe('balance random(<draws>) (lb.random_draws): the best of N draws', () => {
  // get_server_rnd(): `do { … compare with the best so far … } while (--draws > 0)`, draws from
  // backend_parse_balance() (`random(3)` → arg_opt1 = 3; `random` alone → 2).
  it('random(1): one draw, the load never looked at: s1 busy still gets its ring share', () => {
    const lb = pool(2, undefined, 1);
    lb.active.set([5, 0]);
    const p = ringShares([1, 1])[0];
    expect(Math.abs(sharesOf(lb, 40_000)[0] - p)).toBeLessThan(0.01);
  });

  it('random(3): s1 busy is picked only when all three draws land on it (p³; random(2): p²)', () => {
    const lb = pool(2, undefined, 3);
    lb.active.set([5, 0]);
    const p = ringShares([1, 1])[0];
    expect(Math.abs(sharesOf(lb, 40_000)[0] - p ** 3)).toBeLessThan(0.01);
  });

  it('random(4) on three servers loaded 4, 2, 0: the idle one unless no draw lands on it', () => {
    const lb = pool(3, undefined, 4);
    lb.active.set([4, 2, 0]);
    const [p0, p1] = ringShares([1, 1, 1]);
    const s = sharesOf(lb, 40_000);
    // s2 missed by all four draws: s1 if any lands on it, else s0.
    expect(Math.abs(s[0] - p0 ** 4)).toBeLessThan(0.01);
    expect(Math.abs(s[1] - ((p0 + p1) ** 4 - p0 ** 4))).toBeLessThan(0.01);
  });
});
