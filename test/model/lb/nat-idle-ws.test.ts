/**
 * A WebSocket tunnel through an L4 NAT (lb.mode nat) whose entry timed out (lb/nat-idle.ts,
 * app/ws-endpoint.ts armTunnelTimer): its next packet, either side's, meets RST as a keep-alive
 * request does (AWS NLB: "if a client or a target sends data after the idle timeout period
 * elapses, it receives a TCP RST packet"). Pings more frequent than the timeout keep it.
 */
import { describe, expect, it } from 'vitest';
import type { World } from '../../../sim/model/core/world.js';
import { NatIdleTable } from '../../../sim/model/lb/nat-idle.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run, series } from '../helpers.js';

/**
 * One session at 10 s for `lifetime`, the client pinging every `clientPing` (0: never), the app
 * every `appPing` (0: never); nginx's tunnel idle timeout out of the way (1 h), no reconnect
 * within the run.
 */
function oneSession(
  mode: 'nat' | 'l4',
  clientPing: string,
  appPing: string,
  lifetime = '14m',
  natIdle?: string,
  ws: Record<string, unknown> = {},
): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '30m',
    sample_interval: '10s',
    nginx: { proxy_read_timeout: '1h' },
    app: { ws: { ping_interval: appPing, ...ws } },
    clients: {
      ws: {
        ping_interval: clientPing,
        pong_timeout: '0s',
        handshake_timeout: '0s',
        reconnect: { policy: 'exponential', base: '1h', cap: '1h' },
        scheduled: [{ at: '10s', lifetime }],
      },
    },
    lb: natIdle === undefined ? { mode } : { mode, nat_idle_timeout: natIdle },
    backends: [{ name: 'vm-a' }],
  } as ScenarioInput;
}

const count = (r: ReturnType<typeof run>, name: string): number => r.figures[`${name}.total`] ?? 0;

describe('NAT idle timeout on a WebSocket tunnel', () => {
  it('no pings, 14 min: the Close of the leaving user meets RST (NLB 350 s), not a clean 1000', () => {
    const r = run(oneSession('nat', '0', '0'));
    expect(count(r, 'ws_close_1000')).toBe(0);
    expect(count(r, 'reset_out')).toBe(1);
    const [expired] = recordsOf(r, 'lb.nat_idle_expired');
    expect(expired.timeout).toBe(350);
    expect(expired.idle).toBeCloseTo(14 * 60, 1);
    // Behind a proxy nothing forgets it; an IPVS-like 20 min timeout keeps it too.
    expect(count(run(oneSession('l4', '0', '0')), 'ws_close_1000')).toBe(1);
    expect(count(run(oneSession('nat', '0', '0', '14m', '20m')), 'ws_close_1000')).toBe(1);
  });

  it('client pings every 400 s: the first ping resets the session (1006); every 300 s keeps it', () => {
    const r = run(oneSession('nat', '400s', '0', '20m'));
    expect(count(r, 'ws_close_1006')).toBe(1);
    expect(count(r, 'reset_out')).toBe(1);
    expect(r.figures['ws_session_duration.max']).toBeCloseTo(400, 1);
    expect(recordsOf(r, 'lb.nat_idle_expired')[0].idle).toBeCloseTo(400, 1);
    const kept = run(oneSession('nat', '300s', '0', '20m'));
    expect(count(kept, 'reset_out')).toBe(0);
    expect(count(kept, 'ws_close_1000')).toBe(1);
    expect(recordsOf(kept, 'lb.nat_idle_expired')).toHaveLength(0);
  });

  it("the app's ping after the timeout resets the server's side; the client learns at its own next packet", () => {
    const r = run(oneSession('nat', '0', '400s', '20m'));
    // The server's socket is reset at its ping (410 s): the session is gone from the VM then.
    expect(count(r, 'reset_in')).toBe(1);
    expect(r.figures['ws_session_duration.max']).toBeCloseTo(400, 1);
    const open = series(r, 'ws_sessions');
    const at = (t: number) => open.find(([s]) => Math.abs(s - t) < 1e-9)![1];
    expect([at(400), at(420)]).toEqual([1, 0]);
    // The client's next packet is its Close as its user leaves (20 min): RST, no clean 1000.
    expect(count(r, 'reset_out')).toBe(1);
    expect(count(r, 'ws_close_1000')).toBe(0);
    // App pings every 300 s keep the tunnel.
    expect(count(run(oneSession('nat', '0', '300s', '20m')), 'ws_close_1000')).toBe(1);
  });

  it("the app's 1001 Close at a drain after the timeout resets the server's side instead of closing cleanly", () => {
    const drained = (natIdle: string) => {
      const input = oneSession('nat', '0', '0', '20m', natIdle, { drain_notice: true, close_after: '0s' });
      // Drain vm-a at 10 min (590 s after the upgrade): the notice closes the session at once.
      input.timeline = [{ at: '10m', do: 'deploy', backend: 'vm-a', gate: { threshold: 5, max_wait: '1m' } }];
      return run(input);
    };
    const r = drained('350s');
    expect(count(r, 'ws_close_1001')).toBe(0);
    expect(count(r, 'reset_in')).toBe(1);
    expect(recordsOf(r, 'lb.nat_idle_expired')[0].idle).toBeCloseTo(590, 0);
    expect(count(drained('20m'), 'ws_close_1001')).toBe(1);
  });

  it('two ping trains each longer than the timeout keep the entry while they fill each other’s gaps', () => {
    const w = { now: 0, scenario: { lb: { mode: 'nat', nat_idle_timeout: 350 } } } as unknown as World;
    const nat = new NatIdleTable(w);
    const every400 = (first: number) => ({ first, every: 400 });
    // Packets at 200, 400, 600, …: gaps of 200 s up to the close at 1000.
    expect(nat.firstLatePacket(0, [every400(400), every400(200)], 1000)).toBeNull();
    // One train alone: its first packet at 400 is late, after the upgrade at 0.
    expect(nat.firstLatePacket(0, [every400(400)], 1000)).toEqual({ at: 400, after: 0, train: 0 });
    // No train: the close itself, if late.
    expect(nat.firstLatePacket(0, [], 300)).toBeNull();
    expect(nat.firstLatePacket(0, [], 351)).toEqual({ at: 351, after: 0, train: -1 });
  });
});
