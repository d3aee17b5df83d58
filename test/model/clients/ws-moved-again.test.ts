/**
 * Issue 15: a user whose session the server side closes twice — moved off one VM, then off the VM
 * it landed on — is counted once in ws_moved_again. The planner's "moved more than once" is the
 * same count, so `plan drain --check-with-sim` can hold its estimate against the simulation.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, valueAt } from '../helpers.js';

function kills(...at: [string, string][]): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '60s',
    clients: {
      ws: {
        initial_sessions: 600,
        initial_ramp: '5s',
        lifetime: 'const(24h)',
        reconnect: { policy: 'exponential', base: '1s', cap: '2s' },
      },
    },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }, { name: 'vm-c' }],
    timeline: at.map(([t, backend]) => ({ at: t, do: 'terminate', backend, mode: 'kill' })),
  } as ScenarioInput;
}

describe('ws_moved_again: users the server side closed a second time', () => {
  it('one kill moves its users once: none counted', () => {
    const r = kills(['20s', 'vm-a']);
    const out = run(r);
    expect(out.figures['ws_close_1006.total']).toBeGreaterThan(150);
    expect(out.figures['ws_moved_again.total']).toBe(0);
  });

  it("a second kill counts exactly the first kill's users who had landed on the second VM", () => {
    const out = run(kills(['20s', 'vm-a'], ['40s', 'vm-b']));
    const landedOnB = valueAt(out, 'ws_sessions', 39, 'vm-b') - valueAt(out, 'ws_sessions', 19, 'vm-b');
    expect(landedOnB).toBeGreaterThan(50);
    expect(out.figures['ws_moved_again.total']).toBe(landedOnB);
    // Closes count every close; the users closed twice are fewer than the second kill's closes.
    expect(out.figures['ws_moved_again.total']!).toBeLessThan(out.figures['ws_close_1006.total']! - 200);
  });
});
