/**
 * A `stick on src` match sets SF_DIRECT (sticking_rule_find_target(), src/stream.c, HAProxy
 * v2.6.0), so stream_choose_redispatch() (include/haproxy/stream.h) keeps a failed connect on its
 * stuck server — dead but not yet DOWN — until the last retry, with the 1 s turn-around pause
 * after each refusal (back_handle_st_cer(), src/backend.c); a stream with no persistence is
 * redispatched at its first retry, at once. lb/l4-connect.ts connect: `persistent: stuck >= 0`.
 * review45 S7: a stick match not counted as persistence redispatches at once. A redispatch clears
 * SF_DIRECT (stream_choose_redispatch(), include/haproxy/stream.h: `s->flags &= ~(SF_DIRECT |
 * SF_ASSIGNED)`), so a later failure is redispatched again (lb/l4-connect.ts attempt:
 * `a.persistent = false`); review45 S12: kept persistent, it stays on the second dead server.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run } from '../helpers.js';

/** l4, retries 3 with redispatch; nginx on vm-a stops at 5 s (its kernel refuses each SYN), DOWN by its checks later. */
function stopped(sticky: 'source' | 'none'): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '20s',
    clients: {
      source_ips: 30,
      http: { arrival_rate: 60, requests_per_connection: 'const(1)', think_time: 'const(10ms)', retries: 0 },
    },
    app: { workers: 8, service_time: 'const(5ms)', startup_time: '1s' },
    lb: { mode: 'l4', sticky, redispatch: true, retries: 3 },
    health_check: { type: 'http', inter: '2s', rise: 2, fall: 3 },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    timeline: [{ at: '5s', do: 'nginx_stop', backend: 'vm-a' }],
  } as ScenarioInput;
}

/** Three servers; nginx on vm-a and vm-b stops at 5 s, their checks too slow to notice; every 2nd retry redispatches. */
function twoStopped(): ScenarioInput {
  return {
    ...stopped('source'),
    lb: { mode: 'l4', sticky: 'source', redispatch: true, retries: 3, redispatch_interval: 2 },
    health_check: { type: 'http', inter: '1h', rise: 2, fall: 3 },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }, { name: 'vm-c' }],
    timeline: [
      { at: '5s', do: 'nginx_stop', backend: 'vm-a' },
      { at: '5s', do: 'nginx_stop', backend: 'vm-b' },
    ],
  } as ScenarioInput;
}

describe('sticky: source, lb.mode l4: a stuck stream retries on its dead server', () => {
  it('three tries on the stuck server (two 1 s pauses), then the last retry redispatches; a non-sticky stream redispatches at once', () => {
    const sticky = run(stopped('source'));
    const free = run(stopped('none'));
    // Both: every connection is served in the end (the last retry, or the first, goes to vm-b).
    expect(sticky.figures['errors.total'] ?? 0).toBe(0);
    expect(free.figures['errors.total'] ?? 0).toBe(0);
    const handshake = 0.03;
    // Stuck on vm-a: tries at 0, 1 s, 2 s there, the third retry to vm-b at once: 2 s + the handshake.
    expect(sticky.figures['connect_latency.max']!).toBeCloseTo(2 + handshake, 2);
    expect(sticky.figures['connect_latency.p95']!).toBeGreaterThan(1.9);
    // No persistence: the first retry goes to vm-b with no pause.
    expect(free.figures['connect_latency.max']!).toBeLessThan(0.1);
  });

  it('a redispatched stream is no longer persistent: failing again, it is redispatched again, not kept on the new server', () => {
    // Stuck on vm-a: tries vm-a, retries it once (1 s pause), the 2nd retry (redispatch_interval 2)
    // goes to vm-b or vm-c. Refused by vm-b, the 3rd retry is load-balanced again avoiding vm-b (vm-a
    // or vm-c): only those that come back to vm-a fail. Kept persistent, every one sent to vm-b
    // would stay there and fail (47 errors against 15 here).
    const r = run(twoStopped());
    const errors = r.figures['errors.total'] ?? 0;
    expect(errors).toBeGreaterThan(5);
    expect(errors).toBeLessThan(25);
  });
});
