/**
 * IPVS wlc (lb.mode nat, balance leastconn) ranks targets by ip_vs_dest_conn_overhead()
 * (include/net/ip_vs.h): `(activeconns << 8) + inactconns`. A closed connection's entry stays in
 * inactconns until its timer expires — TIME_WAIT 2 min after a FIN exchange, CLOSE 10 s after an
 * RST (net/netfilter/ipvs/ip_vs_proto_tcp.c tcp_timeouts, set_tcp_state(); ip_vs_conn.c
 * ip_vs_conn_expire() → ip_vs_unbind_dest()) — and ip_vs_wlc_schedule() (ip_vs_wlc.c) keeps the
 * first target only on a strict comparison. So short sequential connections, each closed before
 * the next opens (every target at 0 active), go to the target with the fewest recent closes: in
 * turn, not all to the first.
 */
import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../sim/engine/random.js';
import { LoadBalancer } from '../../../sim/model/lb/pool.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { ScenarioSchema } from '../../../sim/scenario/schema.js';
import { run } from '../helpers.js';

/** One request per connection, 2 connections a second paced, 10-ms answers: never two open at once. */
const shortFlows = (): ScenarioInput => ({
  warmup: '0s',
  horizon: '30s',
  clients: {
    rtt: '1ms',
    http: { arrival_rate: 2, arrivals: 'paced', requests_per_connection: 'const(1)', retries: 0 },
  },
  app: { service_time: 'const(10ms)' },
  lb: { mode: 'nat', balance: 'leastconn' },
  backends: [{ name: 'vm-a' }, { name: 'vm-b' }, { name: 'vm-c' }],
});

describe('IPVS wlc counts closed connections still in their entries (inactconns)', () => {
  it('sequential short connections go round the targets, 20 each (without inactconns: all 60 to vm-a)', () => {
    const r = run(shortFlows(), 1);
    const newConn = ['vm-a', 'vm-b', 'vm-c'].map((b) => r.figures[`${b}.new_conn.total`]);
    expect(newConn).toEqual([20, 20, 20]);
    expect(r.figures['errors.total']).toBe(0);
  });

  it('an entry leaves inactconns when its timer expires: 2 min after a FIN, 10 s after an RST', () => {
    const lb = new LoadBalancer(ScenarioSchema.parse({ lb: { mode: 'nat', balance: 'leastconn' } }).lb, 2);
    const clock = { now: 0 };
    lb.clock = clock;
    const rng = new RandomStreams(1).stream('lb.nat-pick');
    lb.takeConn(0);
    lb.dropConn(0);
    lb.natFlowClosed(0, false);
    expect(lb.natInactive(0)).toBe(1);
    expect(lb.pick(rng, 0)).toBe(1);
    clock.now = 119.9;
    expect(lb.pick(rng, 0)).toBe(1);
    clock.now = 120;
    expect(lb.natInactive(0)).toBe(0);
    expect(lb.pick(rng, 0)).toBe(0);
    lb.natFlowClosed(0, true);
    clock.now = 129.9;
    expect(lb.pick(rng, 0)).toBe(1);
    clock.now = 130;
    expect(lb.pick(rng, 0)).toBe(0);
    // One established flow (256) outweighs 255 closed ones, not 256 (strict comparison: the first).
    for (let i = 0; i < 255; i++) lb.natFlowClosed(0, false);
    lb.takeConn(1);
    expect(lb.pick(rng, 0)).toBe(0);
    lb.natFlowClosed(0, false);
    expect(lb.pick(rng, 0)).toBe(0);
    lb.natFlowClosed(0, false);
    expect(lb.pick(rng, 0)).toBe(1);
  });

  it('a flow still connecting counts 1 (SYN_RECV is not ESTABLISHED), an established one 256', () => {
    const lb = new LoadBalancer(ScenarioSchema.parse({ lb: { mode: 'nat', balance: 'leastconn' } }).lb, 2);
    lb.clock = { now: 0 };
    const rng = new RandomStreams(1).stream('lb.nat-pick');
    // vm-a: one established flow; vm-b: one whose SYNs go unanswered (l4-connect.ts counts it in
    // `active` and `connecting`). IPVS: 256 against 1, vm-b; counting both alike tied them (vm-a).
    lb.takeConn(0);
    lb.takeConn(1);
    lb.connecting[1]++;
    expect(lb.natInactive(1)).toBe(1);
    expect(lb.pick(rng, 0)).toBe(1);
  });
});
