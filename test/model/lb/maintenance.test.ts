/**
 * Leaving and entering maintenance (HAProxy 2.6 src/server.c srv_update_status()): leaving maint
 * starts slowstart.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, window } from '../helpers.js';

/** Open-loop requests (60/s) through an http-mode balancer to s1 and s2, checks inter 2s rise 2 fall 3. */
function http(timeline: ScenarioInput['timeline'], lb: Record<string, unknown> = {}): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '30s',
    sample_interval: '1s',
    clients: { requests: { rate: 60, timeout: '8s', retries: 0 } },
    app: { workers: 16, service_time: 'const(1ms)' },
    lb: { mode: 'l7', balance: 'roundrobin', retries: 3, connect_timeout: '5s', redispatch: false, ...lb },
    health_check: { type: 'http', inter: '2s', rise: 2, fall: 3 },
    backends: [{ name: 's1' }, { name: 's2' }],
    timeline,
  } as ScenarioInput;
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

describe('maintenance and checks (srv_update_status)', () => {
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
