/**
 * Behind an L4 NAT (lb.mode nat) the client's own kernel sends the SYNs to a vanished backend
 * and gives up on its connect() after clients.kernel.tcp_syn_retries (tcp_write_timeout →
 * tcp_write_err, net/ipv4/tcp_timer.c; with 2 retries: SYNs at 0, 1 and 3 s, ETIMEDOUT at 7 s).
 * The client learns of it at that give-up, on its own machine: no answer crosses the network
 * (open-loop.ts learnDelay). Its retry leaves after its backoff on a new connection and reaches
 * the balancer the new connection's 1.5 round trips later. The model counts the SYN schedule
 * from the attempt's arrival at the balancer (its first SYN + 1.5 rtt), so each retry reaches
 * the balancer — and its own give-up comes — exactly give-up + backoff after the one before:
 * first SYN + 7 s + backoff + 1.5 rtt, with no half round trip more for a reply that never was.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, series } from '../helpers.js';

/** Within a sample and a half (10-ms samples): the half round trip it must not have is 50 ms. */
const WITHIN = 0.015;

/** One open-loop request (paced, at 1 s) to vm-a, which vanished at 0.5 s; two retries, 1 s then 2 s apart. */
const vanished = {
  warmup: '0s',
  horizon: '40s',
  sample_interval: '10ms',
  clients: {
    rtt: '100ms',
    kernel: { tcp_syn_retries: 2 },
    requests: {
      rate: 1,
      arrivals: 'paced',
      timeout: '60s',
      retries: 2,
      backoff: { policy: 'exponential', base: '1s', cap: '10s' },
    },
  },
  lb: { mode: 'nat', retries: 0, connect_timeout: '60s' },
  backends: [{ name: 'vm-a' }],
  timeline: [
    { at: '0.5s', do: 'terminate', backend: 'vm-a', mode: 'vanish' },
    { at: '1.5s', do: 'load', request_rate: 0 },
  ],
} as ScenarioInput;

describe("behind a NAT a retry after the client kernel's SYN give-up", () => {
  let r: RunResult;
  beforeAll(() => {
    r = run(vanished, 1);
  });

  it('reaches the balancer give-up (7 s) + backoff after the attempt before: no half round trip more', () => {
    const failures = series(r, 'err_etimedout').filter(([, v]) => v > 0);
    expect(failures.map(([, v]) => v)).toEqual([1, 1, 1]);
    const [f1, f2, f3] = failures.map(([t]) => t);
    // Each give-up is 7 s after its attempt reached the balancer (the first at 1 s); the
    // retries' backoffs are 1 and 2 s (with the mutation's rtt/2: 8.05 and 9.05 s apart).
    expect(Math.abs(f1 - (1 + 7))).toBeLessThan(WITHIN);
    expect(Math.abs(f2 - f1 - (7 + 1))).toBeLessThan(WITHIN);
    expect(Math.abs(f3 - f2 - (7 + 2))).toBeLessThan(WITHIN);
    expect(r.figures['retries.total']).toBe(2);
  });
});
