/**
 * Leaving and entering maintenance (HAProxy 2.6 src/server.c srv_update_status()): checks pause
 * in maint (CHK_ST_PAUSED, health 0); `state ready` sets health = rise, so the server is UP at
 * once and a single failed check marks it DOWN; leaving maint starts slowstart.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run, window } from '../helpers.js';

/** Open-loop requests (60/s) through an http-mode balancer to s1 and s2, checks inter 2s rise 2 fall 3. */
function http(timeline: ScenarioInput['timeline'], lb: Record<string, unknown> = {}, firstCheck = '0s'): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '30s',
    sample_interval: '1s',
    clients: { requests: { rate: 60, timeout: '8s', retries: 0 } },
    app: { workers: 16, service_time: 'const(1ms)' },
    lb: { mode: 'l7', balance: 'roundrobin', retries: 3, connect_timeout: '5s', redispatch: false, ...lb },
    health_check: { type: 'http', inter: '2s', rise: 2, fall: 3, first_check: firstCheck },
    backends: [{ name: 's1' }, { name: 's2' }],
    timeline,
  } as ScenarioInput;
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

describe('maintenance and checks (srv_update_status)', () => {
  it('checks are paused in maint: a server killed there is UP again at `state ready`, takes requests, and its first failed check marks it DOWN', () => {
    // Checks of s1 on a grid at 0.7 + 2k s: paused from 4 s, the first after ready runs at ≈ 12.7 s.
    const r = run(
      http(
        [
          { at: '4s', do: 'set_server', backend: 's1', state: 'maint' },
          { at: '6s', do: 'terminate', backend: 's1', mode: 'kill' },
          { at: '12s', do: 'set_server', backend: 's1', state: 'ready' },
        ],
        {},
        '0.7s',
      ),
    );
    const downs = recordsOf(r, 'hc.down');
    // Nothing notices the kill in maint (unpaused checks would have marked s1 DOWN at ≈ 10.7 s).
    expect(downs).toHaveLength(1);
    expect(downs[0].t).toBeGreaterThan(12.6);
    expect(downs[0].t).toBeLessThan(12.8);
    // Between ready and DOWN s1 took every other request: ≈ 0.7 s × 30/s, 503 after 3 retries.
    const errors = sum(window(r, 'req_5xx', 12, 30));
    expect(errors).toBeGreaterThanOrEqual(15);
    expect(errors).toBeLessThanOrEqual(27);
    expect(sum(window(r, 'req_5xx', 0, 12))).toBe(0);
    // Paused, not failing: no check of s1 runs (so none fails) until after ready.
    expect(sum(window(r, 'check_failures', 4, 12, 's1'))).toBe(0);
    expect(sum(window(r, 'check_failures', 12, 13, 's1'))).toBe(1);
  });

  it('an l7 `remove` is maint: its checks pause too, and a server hung while removed is UP at bind and stays UP', () => {
    // As the next test, with remove/bind: unpaused checks would time out from ≈ 6.7 s and mark s1 DOWN.
    const r = run(
      http([
        { at: '4s', do: 'remove', backend: 's1' },
        { at: '5s', do: 'pause', backend: 's1', duration: '5s' },
        { at: '12s', do: 'bind', backend: 's1' },
        { at: '20s', do: 'terminate', backend: 's1', mode: 'kill' },
      ]),
    );
    expect(sum(window(r, 'check_failures', 0, 20, 's1'))).toBe(0);
    expect(sum(window(r, 'goodput', 14, 20, 's1'))).toBeGreaterThan(0.4 * 60 * 6);
    // The checks run again after bind: the kill at 20 s is noticed.
    const downs = recordsOf(r, 'hc.down');
    expect(downs).toHaveLength(1);
    expect(downs[0].t).toBeGreaterThan(20);
  });

  it('a server configured in maint (HAProxy `disabled`) starts with its checks paused: hung from the start, it is UP at `state ready`', () => {
    // s1 hangs 0–10 s in maint; unpaused checks would time out from ≈ 2 s and log failures.
    const input = http([
      { at: '0s', do: 'pause', backend: 's1', duration: '10s' },
      { at: '12s', do: 'set_server', backend: 's1', state: 'ready' },
      { at: '20s', do: 'terminate', backend: 's1', mode: 'kill' },
    ]);
    input.backends = [{ name: 's1', state: 'maint' }, { name: 's2' }];
    const r = run(input);
    expect(sum(window(r, 'check_failures', 0, 20, 's1'))).toBe(0);
    expect(sum(window(r, 'goodput', 14, 20, 's1'))).toBeGreaterThan(0.4 * 60 * 6);
    const downs = recordsOf(r, 'hc.down');
    expect(downs).toHaveLength(1);
    expect(downs[0].t).toBeGreaterThan(20);
  });

  it('what the paused checks would have seen leaves no trace: s1 hung in maint is UP at ready and stays UP', () => {
    // s1 hangs 5–10 s, inside its maint: unpaused checks time out from ≈ 6.7 s and mark it DOWN.
    const r = run(
      http([
        { at: '4s', do: 'set_server', backend: 's1', state: 'maint' },
        { at: '5s', do: 'pause', backend: 's1', duration: '5s' },
        { at: '12s', do: 'set_server', backend: 's1', state: 'ready' },
      ]),
    );
    expect(recordsOf(r, 'hc.down')).toHaveLength(0);
    expect(sum(window(r, 'check_failures', 0, 30, 's1'))).toBe(0);
    expect(sum(window(r, 'goodput', 14, 20, 's1'))).toBeGreaterThan(0.4 * 60 * 6);
  });

  it('bind (the app started again and put back) also ends the maint of the checks', () => {
    const r = run(
      http([
        { at: '4s', do: 'set_server', backend: 's1', state: 'maint' },
        { at: '5s', do: 'terminate', backend: 's1', mode: 'kill' },
        { at: '11s', do: 'bind', backend: 's1' },
        { at: '16s', do: 'terminate', backend: 's1', mode: 'kill' },
      ]),
    );
    // Checks run again after bind: the second kill is noticed.
    const downs = recordsOf(r, 'hc.down');
    expect(downs).toHaveLength(1);
    expect(downs[0].t).toBeGreaterThan(16);
  });

  it('leaving maint starts slowstart: s1 gets about 1/17 of the requests in its first second back, all its share 10 s later', () => {
    const r = run(
      http(
        [
          { at: '3s', do: 'set_server', backend: 's1', state: 'maint' },
          { at: '6s', do: 'set_server', backend: 's1', state: 'ready' },
        ],
        { slowstart: '10s' },
      ),
    );
    const s1 = (from: number, to: number) => sum(window(r, 'goodput', from, to, 's1'));
    expect(s1(4, 6)).toBe(0);
    // Weight 1/16 against 16/16: ≈ 60/17 ≈ 3.5 requests in the first second.
    expect(s1(7, 7)).toBeLessThanOrEqual(6);
    expect(s1(7, 7)).toBeGreaterThanOrEqual(1);
    // From 16 s on both have the full weight: half the load.
    expect(s1(18, 25)).toBeGreaterThan(0.4 * 60 * 8);
  });

  it('drain → ready is no return from maint: no slowstart', () => {
    const r = run(
      http(
        [
          { at: '3s', do: 'set_server', backend: 's1', state: 'drain' },
          { at: '6s', do: 'set_server', backend: 's1', state: 'ready' },
        ],
        { slowstart: '10s' },
      ),
    );
    expect(sum(window(r, 'goodput', 7, 7, 's1'))).toBeGreaterThanOrEqual(25);
  });
});
