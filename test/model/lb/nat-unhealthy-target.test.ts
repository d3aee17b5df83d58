/**
 * lb.mode nat with a health_check is an AWS NLB target group (NLB docs, target-group-health-checks):
 * "If a target becomes unhealthy, the load balancer sends a TCP RST for packets received on the
 * client connections associated with the target, unless the unhealthy target triggers the load
 * balancer to fail open" (target_health_state.unhealthy.connection_termination.enabled, default
 * true), and with no healthy target left it fails open, "to allow traffic to all targets".
 */
import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../sim/engine/random.js';
import { LoadBalancer, PoolState } from '../../../sim/model/lb/pool.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { ScenarioSchema } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

/**
 * Six WebSocket sessions over three targets, pinging every 20 s; the health endpoint of `failing`
 * answers 404 from 60 s (a failed check: DOWN after fall 3 at inter 2 s), and a seventh session
 * connects at 120 s.
 */
function targetGroup(failing: string[], lb: Record<string, unknown> = {}): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '200s',
    sample_interval: '10s',
    nginx: { proxy_read_timeout: '1h' },
    clients: {
      ws: {
        ping_interval: '20s',
        reconnect: { policy: 'exponential', base: '1h', cap: '1h' },
        scheduled: [
          ...['1s', '2s', '3s', '4s', '5s', '6s'].map((at) => ({ at, lifetime: '10m' })),
          { at: '120s', lifetime: '10m' },
        ],
      },
    },
    lb: { mode: 'nat', nat_scheduler: 'rr', ...lb },
    health_check: { type: 'http', inter: '2s', fall: 3, rise: 2 },
    timeline: failing.map((backend) => ({ at: '60s', do: 'health_404', backend })),
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }, { name: 'vm-c' }],
  } as ScenarioInput;
}

const total = (r: ReturnType<typeof run>, name: string): number => r.figures[`${name}.total`] ?? 0;

describe('an NLB target group (lb.mode nat with a health_check)', () => {
  it("a DOWN target's flows meet RST at their next packet (connection termination, on by default)", () => {
    const r = run(targetGroup(['vm-a']));
    const [down] = recordsOf(r, 'hc.down');
    expect(down.backend).toBe('vm-a');
    expect(down.natResets).toBe(true);
    // vm-a's two sessions (round robin: the 1st and 4th) are reset at their next ping, 1006.
    expect(r.figures['vm-a.reset_out.total']).toBe(2);
    expect(total(r, 'ws_close_1006')).toBe(2);
    // The other targets' sessions carry on.
    expect(r.figures['vm-b.reset_out.total'] ?? 0).toBe(0);
  });

  it('nat_unhealthy_termination: false keeps them on the DOWN target', () => {
    const r = run(targetGroup(['vm-a'], { nat_unhealthy_termination: false }));
    expect(recordsOf(r, 'hc.down')[0].natResets).toBeUndefined();
    expect(total(r, 'reset_out')).toBe(0);
    expect(total(r, 'ws_close_1006')).toBe(0);
  });

  it('with every target DOWN it fails open: new flows still reach a target, the last DOWN resets nothing', () => {
    const r = run(targetGroup(['vm-a', 'vm-b', 'vm-c']));
    const noServer = recordsOf(r, 'hc.no_server');
    expect(noServer).toHaveLength(1);
    expect(noServer[0].failOpen).toBe(true);
    // The first two targets' DOWNs reset their sessions (4); the third's triggers the fail-open.
    expect(recordsOf(r, 'hc.down').map((d) => d.natResets ?? false)).toEqual([true, true, false]);
    expect(total(r, 'reset_out')).toBe(4);
    // The session at 120 s connects and lives to the end: 2 kept + 1 new.
    expect(r.figures['ws_sessions.final']).toBe(3);
  });

  it('fails open by the targets the pool has: the last healthy one going DOWN after the others were removed resets nothing', () => {
    // review43 #1: vm-b and vm-c deregistered (removed) at 30 s stay UP by their checks; vm-a's DOWN
    // leaves no registered target healthy, so the group fails open and vm-a keeps its flows.
    const r = run({
      ...targetGroup(['vm-a']),
      timeline: [
        { at: '30s', do: 'remove', backend: 'vm-b' },
        { at: '30s', do: 'remove', backend: 'vm-c' },
        { at: '60s', do: 'health_404', backend: 'vm-a' },
      ],
    } as ScenarioInput);
    const [down] = recordsOf(r, 'hc.down');
    expect(down.backend).toBe('vm-a');
    expect(down.natResets).toBeUndefined();
    const noServer = recordsOf(r, 'hc.no_server');
    expect(noServer).toHaveLength(1);
    expect(noServer[0].failOpen).toBe(true);
    expect(r.figures['vm-a.reset_out.total'] ?? 0).toBe(0);
  });

  it('stops failing open once a target is healthy again (the pool, without a run)', () => {
    // review44 #1: a verb that read the fail-open before its own write (fwlcEweight) kept the
    // cache from the old state, so with vm-a UP again the DOWN targets still took new flows.
    const lb = new LoadBalancer({ ...ScenarioSchema.parse({}).lb, mode: 'nat', nat_scheduler: 'random' }, 3);
    for (let b = 0; b < 3; b++) {
      lb.setReady(b, true);
      lb.setPoolState(b, PoolState.BOUND);
      lb.setHealth(b, false);
    }
    expect(lb.natFailsOpen()).toBe(true);
    lb.setHealth(0, true);
    expect(lb.natFailsOpen()).toBe(false);
    const r = new RandomStreams(3).stream('test.pick');
    for (let i = 0; i < 50; i++) expect(lb.pick(r, 0)).toBe(0);
  });

  it('nat_unhealthy_termination needs lb.mode nat and a health_check', () => {
    expect(ScenarioSchema.safeParse({ lb: { mode: 'l4', nat_unhealthy_termination: false } }).success).toBe(false);
    expect(ScenarioSchema.safeParse({ lb: { mode: 'nat', nat_unhealthy_termination: false } }).success).toBe(false);
  });
});
