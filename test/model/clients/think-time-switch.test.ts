/**
 * A timeline `load` action's http_think_time: the think time every keep-alive client draws from
 * then on; a client already thinking keeps its draw. Two populations in one client spec: idle
 * clients (think 1 h) already in, then a busy burst (calibration/scenarios/
 * nginx-holdout4-wc64-two-populations.yaml).
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { totalIn } from '../../calibration/heldout-table.js';
import { run } from '../helpers.js';

/** ~10 clients in the first half second (think 1 h), then at 2 s what `second` says. */
function twoPopulations(second: Record<string, unknown>): ScenarioInput {
  return {
    start: '00:00:00',
    warmup: '0s',
    horizon: '5s',
    sample_interval: '500ms',
    clients: {
      rtt: '1ms',
      http: { arrival_rate: 20, requests_per_connection: 'const(1000)', think_time: 'const(1h)', retries: 0 },
    },
    app: { workers: 100, service_time: 'const(10ms)' },
    backends: [{ name: 'vm-a' }],
    timeline: [
      { at: '0.5s', do: 'load', http_rate: 0 },
      { at: '2s', do: 'load', ...second },
      { at: '2.5s', do: 'load', http_rate: 0 },
    ],
  } as ScenarioInput;
}

describe('load.http_think_time', () => {
  it('clients arriving after it think its time; those already thinking keep theirs', () => {
    const same = run(twoPopulations({ http_rate: 20 }), 1);
    const busy = run(twoPopulations({ http_rate: 20, http_think_time: 'const(100ms)' }), 1);
    const first = totalIn(busy, 'new_conn', 0, 1);
    const second = totalIn(busy, 'new_conn', 2, 3);
    expect(first).toBeGreaterThan(3);
    expect(second).toBeGreaterThan(3);
    // Without it both populations send one request each and think an hour.
    expect(same.figures['requests.total']).toBe(totalIn(same, 'new_conn', 0, 5));
    // With it the second sends every ~110 ms until the horizon: ~20 each in 2.5 s.
    expect(totalIn(busy, 'requests', 3, 5)).toBeGreaterThan(15 * second);
    // The first is still in its hour-long think: nothing more from it.
    const onlySwitch = run(twoPopulations({ http_think_time: 'const(100ms)' }), 1);
    expect(onlySwitch.figures['requests.total']).toBe(first);
  });
});
