/**
 * `lb.connect_timeout: infinite` is HAProxy without `timeout connect` (it warns "missing
 * timeouts"): src/cfgparse.c leaves timeout.connect 0 and copies it into an unset timeout.queue,
 * and tick_add_ifset() arms no expiry for a 0 — a queued request waits for its slot indefinitely
 * (the review52 audit on loopback, HAProxy 2.6.12, maxconn 1 and a 7-s server: the second request
 * queued 6,891 ms, then 200), and a connect ends only at the sending kernel's SYN give-up. Before
 * review52 the scenario refused `infinite` and the model's default (5 s) was the only way to say it.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { ScenarioSchema } from '../../../sim/scenario/schema.js';
import { between, run } from '../helpers.js';

/** One server with maxconn 1, two 7-s requests 0.1 s apart (at 1.1 and 1.2 s): the second waits in the queue. */
function queued(connectTimeout?: string): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '20s',
    clients: { requests: { rate: 0, arrivals: 'paced', timeout: '60s', retries: 0 } },
    app: { workers: 4, service_time: 'const(7s)' },
    lb: { mode: 'l7', maxconn: 1, ...(connectTimeout ? { connect_timeout: connectTimeout } : {}) },
    backends: [{ name: 'vm-a' }],
    timeline: [
      { at: '1s', do: 'load', request_rate: 10 },
      { at: '1.25s', do: 'load', request_rate: 0 },
    ],
  } as ScenarioInput;
}

describe('lb.connect_timeout: infinite (no HAProxy timeout connect)', () => {
  it('parses `infinite`, `none` and 0 as no timeout; the default stays 5 s', () => {
    for (const v of ['infinite', 'none', 0])
      expect(ScenarioSchema.parse({ lb: { connect_timeout: v } }).lb.connect_timeout).toBe(Infinity);
    expect(ScenarioSchema.parse({}).lb.connect_timeout).toBe(5);
  });

  it('a queued request waits for its slot however long (timeout queue inherits it): 200, not 503 at 5 s', () => {
    const inf = run(queued('infinite'));
    expect(inf.figures['req_failed.total'] ?? 0).toBe(0);
    expect(inf.figures['goodput.total']).toBe(2);
    expect(inf.figures['open_loop_latency.max']!).toBeGreaterThan(13);
    // The default 5 s: the queued request gets HAProxy's 503 (sQ) at 5 s.
    const def = run(queued());
    expect(def.figures['goodput.total']).toBe(1);
    expect(def.figures['req_5xx.total']).toBe(1);
  });

  it('a connect to a vanished host ends only at the kernel SYN give-up (131 s with the defaults)', () => {
    for (const mode of ['l7', 'l4'] as const) {
      const r = run({
        warmup: '0s',
        horizon: '200s',
        clients: { requests: { rate: 0, arrivals: 'paced', timeout: '1h', retries: 0 } },
        app: { workers: 4, service_time: 'const(10ms)' },
        lb: { mode, connect_timeout: 'infinite', retries: 0 },
        backends: [{ name: 'vm-a' }],
        timeline: [
          { at: '1s', do: 'terminate', backend: 'vm-a', mode: 'vanish' },
          { at: '2s', do: 'load', request_rate: 10 },
          { at: '2.15s', do: 'load', request_rate: 0 },
        ],
      } as ScenarioInput);
      // Sent at 2.1 s: it fails 131 s later, not at 5 s — HAProxy's 503 (l7) or the client
      // connection's close (l4).
      expect(r.figures['req_failed.total']).toBe(1);
      expect(between(r, 'req_failed', 133, 137)).toBe(1);
    }
  });
});
