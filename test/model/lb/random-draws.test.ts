/**
 * `balance random(<draws>)` (lb.random_draws) in a run: HAProxy 2.6 get_server_rnd() (src/backend.c)
 * keeps the least loaded per weight of `draws` ring draws (backend_parse_balance(): `random` alone
 * is random(2)). Three servers behind lb.mode l7, one ten times slower: with one draw the load is
 * never looked at and the slow server piles up the requests in flight; each draw more steers
 * more of them away from it. Before session 21 every `balance random` drew twice.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { mean, run, window } from '../helpers.js';

/** 100 open-loop requests/s over vm-a, vm-b (20 ms) and vm-c (200 ms), `balance random(draws)`. */
function slowThird(draws?: number): RunResult {
  return run({
    warmup: '0s',
    horizon: '60s',
    clients: { requests: { rate: 100, timeout: '30s', retries: 0 } },
    app: { workers: 8, service_time: 'const(20ms)' },
    lb: { mode: 'l7', balance: 'random', ...(draws === undefined ? {} : { random_draws: draws }) },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }, { name: 'vm-c', app: { service_time: 'const(200ms)' } }],
  } as ScenarioInput);
}

/** The slow server's share of the requests in flight (active connections, averaged over 10-60 s). */
function slowShare(r: RunResult): number {
  const held = (b: string) => mean(window(r, 'active_conn', 10, 60, b));
  return held('vm-c') / (held('vm-a') + held('vm-b') + held('vm-c'));
}

describe('balance random(<draws>) in a run: a slow server among three', () => {
  it('random(1) leaves ~90 % of the requests in flight on the slow server, random(2) ~70 %, random(4) less again', () => {
    const one = slowShare(slowThird(1));
    const two = slowShare(slowThird(2));
    const four = slowShare(slowThird(4));
    expect(one).toBeGreaterThan(0.8);
    expect(two).toBeLessThan(one - 0.1);
    expect(four).toBeLessThan(two - 0.1);
  });

  it('random_draws unset is random(2): the same run to the bit', () => {
    expect(slowThird().figures).toEqual(slowThird(2).figures);
  });
});
