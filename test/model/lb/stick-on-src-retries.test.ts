/**
 * A `stick on src` match sets SF_DIRECT (sticking_rule_find_target(), src/stream.c, HAProxy
 * v2.6.0), so stream_choose_redispatch() (include/haproxy/stream.h) keeps a failed connect on its
 * stuck server — dead but not yet DOWN — until the last retry, with the 1 s turn-around pause
 * after each refusal (back_handle_st_cer(), src/backend.c); a stream with no persistence is
 * redispatched at its first retry, at once. lb/l4-connect.ts connect: `persistent: stuck >= 0`.
 * review45 S7: a stick match not counted as persistence redispatches at once.
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
});
