/**
 * `balance roundrobin` is HAProxy's fwrr (src/lb_fwrr.c), not a smooth weighted round robin:
 * the order of its trees decides where a redispatch lands (held-out kill2of4, NOTES.md item 6).
 */
import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../sim/engine/random.js';
import { BackendSet } from '../../../sim/model/core/backend-set.js';
import { LoadBalancer, PoolState } from '../../../sim/model/lb/pool.js';
import { ScenarioSchema } from '../../../sim/scenario/schema.js';

function haproxy(weights: number[], mode: 'l4' | 'l7' | 'nat' = 'l7'): LoadBalancer {
  const lb = new LoadBalancer({ ...ScenarioSchema.parse({}).lb, mode, balance: 'roundrobin' }, weights.length);
  lb.weight.set(weights);
  lb.baseWeight.set(weights);
  return lb;
}

const rng = new RandomStreams(7).stream('test.pick');
const picks = (lb: LoadBalancer, n: number): string => Array.from({ length: n }, () => lb.pick(rng, 0) + 1).join('');

describe('fwrr (balance roundrobin in lb.mode l4 / l7)', () => {
  it('equal weights rotate in server order', () => {
    expect(picks(haproxy([1, 1, 1, 1]), 12)).toBe('123412341234');
  });

  it("weights give fwrr's order: heaviest first, each placed next_weight / eweight positions on", () => {
    // fwrr_update_position(): with eweights 16/16/32/32 (total 96) s3 and s4 step 3 positions,
    // s1 and s2 six; the init tree hands out the heavy ones first (key SRV_EWGHT_MAX - eweight).
    expect(picks(haproxy([1, 1, 2, 2]), 12)).toBe('341342341342');
    expect(picks(haproxy([1, 2, 3]), 12)).toBe('323132323132');
    // A NAT (IPVS, kube-proxy) keeps the smooth weighted round robin: 4 3 1 ...
    expect(picks(haproxy([1, 1, 2, 2], 'nat'), 6)).not.toBe('341342');
  });

  it('kill2of4: every stream redispatched from dead s1 or s2 lands on s3, none on s4', () => {
    // s1 and s2 refuse but are not DOWN yet: a stream whose turn is theirs fails and is
    // load-balanced again avoiding them (fwrr_get_next_server(p, srvtoavoid)); the next turn in
    // the order 3 4 1 3 4 2 after 1 or 2 is always s3's, which the redispatch consumes.
    const lb = haproxy([1, 1, 2, 2]);
    const landed = [0, 0, 0, 0];
    const served = [0, 0, 0, 0];
    const tried = new BackendSet();
    for (let i = 0; i < 600; i++) {
      const first = lb.pick(rng, 0);
      if (first >= 2) served[first]++;
      else landed[lb.pick(rng, 0, tried.only(first).members)]++;
    }
    // Turns 3 4 [1→3] 4 [2→3] 4 [1→3] …: after the first two, every other stream is redispatched
    // (170 of ≈ 330 in the recording's 5.4 s at 60/s).
    expect(landed).toEqual([0, 0, 299, 0]);
    // s3 and s4 still share the load evenly (30/s each in the recording).
    expect(served[2] + landed[2]).toBe(served[3]);
  });

  it('a DOWN server leaves the trees and comes back one step of its weight after the current position', () => {
    const lb = haproxy([1, 1, 1]);
    expect(picks(lb, 3)).toBe('123');
    lb.setHealth(1, false);
    expect(picks(lb, 4)).toBe('1313');
    lb.setHealth(1, true);
    // fwrr_set_server_status_up(): npos = curr_pos 55 + (next_weight 48 + curr_weight 48 − 55) / 16
    // = 57, queued after s3 (already at 57): s2 now comes after s3, not in server order.
    expect(picks(lb, 6)).toBe('132132');
  });

  it('a redispatch with every server saturated moves the positions once (one fwrr_get_next_server per assign_server)', () => {
    const lb = new LoadBalancer({ ...ScenarioSchema.parse({}).lb, mode: 'l7', balance: 'roundrobin', maxconn: 1 }, 4);
    lb.weight.set([1, 1, 2, 2]);
    lb.baseWeight.set([1, 1, 2, 2]);
    expect(picks(lb, 3)).toBe('341');
    lb.active.fill(1); // every server at maxconn 1
    const avoid = new BackendSet();
    expect(lb.pickAvoiding(rng, 0, avoid.only(0).members)).toBe(-1);
    lb.active.fill(0);
    // HAProxy's one call (probe case B); a second pick without avoiding gives 342341342341.
    expect(picks(lb, 12)).toBe('431432431432');
  });

  it('a DOWN then UP between two picks re-places the server as it happens (probe case A)', () => {
    const lb = haproxy([1, 1, 2, 2]);
    expect(picks(lb, 3)).toBe('341');
    lb.setHealth(2, false);
    lb.setHealth(2, true);
    // fwrr_set_server_status_down() then _up() at each event: s3 back at curr_pos + (nw+cw−cp)/w.
    // Applied lazily at the next pick the flap vanished: 342341342341.
    expect(picks(lb, 12)).toBe('243431243431');
  });

  it('two servers UP between picks are placed in event order, not server order (probe case C)', () => {
    const lb = haproxy([1, 1, 2, 2]);
    lb.hcUp.set([1, 0, 1, 0]); // the initial state, as the topology sets it (fwrr_init_server_groups)
    expect(picks(lb, 2)).toBe('33');
    lb.setHealth(3, true);
    lb.setHealth(1, true);
    // s4 UP first, then s2: in server order (s2 then s4) it would be 134234134234.
    expect(picks(lb, 12)).toBe('134342134342');
  });

  it("slowstart's first step is part of the UP: one fwrr_set_server_status_up() with that weight", () => {
    const lb = haproxy([1, 1, 2, 2]);
    const once = haproxy([1, 1, 2, 2]);
    for (const x of [lb, once]) {
      expect(picks(x, 3)).toBe('341');
      x.setHealth(3, false);
      expect(picks(x, 2)).toBe('32');
    }
    lb.setHealth(3, true);
    lb.setWeight(3, 2 / 16, true);
    once.setWeight(3, 2 / 16); // while DOWN: no LB update
    once.setHealth(3, true);
    expect(picks(lb, 24)).toBe(picks(once, 24));
  });

  it('drain and maint take a server out like DOWN; all out gives -1', () => {
    const lb = haproxy([1, 1]);
    lb.setPoolState(0, PoolState.DRAINING);
    expect(picks(lb, 4)).toBe('2222');
    lb.setPoolState(1, PoolState.DETACHED);
    expect(lb.pick(rng, 0)).toBe(-1);
  });
});
