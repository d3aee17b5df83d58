/**
 * HAProxy leastconn ranks servers by fwlc_queue_srv()'s key (src/lb_fwlc.c): 0 when idle, else
 * (inflight + 1) × SRV_EWGHT_MAX / eweight — not inflight / weight. The two orders differ only
 * when the weights do: a server in slowstart (eweight 9 of 16) with one stream in flight against
 * full-weight servers with two (held-out round 4, haproxy-holdout4-slowstart-lc-http).
 */
import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../sim/engine/random.js';
import { LoadBalancer } from '../../../sim/model/lb/pool.js';
import { ScenarioSchema } from '../../../sim/scenario/schema.js';

const rng = new RandomStreams(5).stream('test.pick');

function leastconn(mode: 'l7' | 'nat', weights: number[], inflight: number[]): LoadBalancer {
  const lb = new LoadBalancer({ ...ScenarioSchema.parse({}).lb, mode, balance: 'leastconn' }, weights.length);
  lb.baseWeight.set(weights);
  weights.forEach((weight, b) => {
    lb.setWeight(b, weight);
    for (let k = 0; k < inflight[b]; k++) lb.takeConn(b);
  });
  return lb;
}

describe('leastconn key (fwlc_queue_srv(), src/lb_fwlc.c)', () => {
  it('a slowstarting server with one stream ranks behind full servers with two', () => {
    // s1 at 9/16 of its weight, 1 in flight: key 2 × 4096 / 9 = 910; s2, s3 at 16/16 with 2: 3 × 4096 / 16 = 768.
    // inflight / weight would rank s1 first (1 / 0.5625 = 1.78 < 2).
    const lb = leastconn('l7', [9 / 16, 1, 1], [1, 2, 2]);
    expect(lb.pick(rng, 0)).not.toBe(0);
  });

  it('at 11/16 it ranks first again (2 × 4096 / 11 = 744 < 768)', () => {
    expect(leastconn('l7', [11 / 16, 1, 1], [1, 2, 2]).pick(rng, 0)).toBe(0);
  });

  it('an idle server is 0 whatever its weight', () => {
    expect(leastconn('l7', [1 / 16, 1, 1], [0, 1, 1]).pick(rng, 0)).toBe(0);
  });

  it('a NAT keeps flows per weight (IPVS wlc)', () => {
    expect(leastconn('nat', [9 / 16, 1, 1], [1, 2, 2]).pick(rng, 0)).toBe(0);
  });
});
