/**
 * Open-loop requests behind lb.mode l7 are HAProxy streams counted on their server from
 * assignment to answer (`srv->served`, sess_change_server(), src/stream.c): active_conn shows
 * them (Little's law: rate × time in service) and leastconn weighs them.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { mean, run, window } from '../helpers.js';

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

/** 200 req/s over vm-a (20 ms per request) and vm-b (200 ms per request). */
function openLoop(mode: 'l4' | 'l7', balance: string): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '20s',
    clients: { requests: { rate: 200, timeout: '10s', retries: 0 } },
    app: { workers: 64, service_time: 'const(20ms)' },
    lb: { mode, balance },
    backends: [{ name: 'vm-a' }, { name: 'vm-b', app: { service_time: 'const(200ms)' } }],
  } as ScenarioInput;
}

describe('open-loop requests behind an L7 balancer', () => {
  it('count on their server while in flight: active_conn ≈ rate × service time', () => {
    const r = run(openLoop('l7', 'roundrobin'));
    // Round robin: 100 req/s on each; vm-a holds ≈ 100 × 0.02 = 2, vm-b ≈ 100 × 0.2 = 20.
    const a = mean(window(r, 'active_conn', 5, 20, 'vm-a'));
    const b = mean(window(r, 'active_conn', 5, 20, 'vm-b'));
    expect(b).toBeGreaterThan(14);
    expect(b).toBeLessThan(26);
    expect(a).toBeLessThan(5);
  });

  it('leastconn sends most requests to the faster server, which holds fewer of them at a time', () => {
    const r = run(openLoop('l7', 'leastconn'));
    const a = sum(window(r, 'goodput', 1, 20, 'vm-a'));
    const b = sum(window(r, 'goodput', 1, 20, 'vm-b'));
    // Round robin would split 50/50; leastconn keeps both near the same count in flight.
    expect(a).toBeGreaterThan(4 * b);
    expect(mean(window(r, 'active_conn', 5, 20, 'vm-b'))).toBeLessThan(10);
  });

  it('stay uncounted through an L4 proxy, as before (each request is its own connection there)', () => {
    const r = run(openLoop('l4', 'roundrobin'));
    expect(sum(window(r, 'active_conn', 1, 20))).toBe(0);
  });
});
