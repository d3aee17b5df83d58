/**
 * Persistence through a drain (calibration/haproxy/NOTES.md items 12, 13, 18): HAProxy honours a
 * cookie while the server is not STOPPED (`http_manage_client_side_cookies()`), so a drained
 * server keeps its cookie users; `balance source` sends every request of one address to one
 * server; a cookie needs an L7 balancer.
 */
import { describe, expect, it } from 'vitest';
import { type ScenarioInput, ScenarioSchema } from '../../../sim/scenario/schema.js';
import { run, window } from '../helpers.js';

function cookieUsers(timeline: ScenarioInput['timeline'], lb: Record<string, unknown> = {}): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '30s',
    clients: { requests: { rate: 60, timeout: '5s', retries: 0, users: 200 } },
    app: { workers: 8, service_time: 'const(5ms)' },
    lb: { mode: 'l7', sticky: 'cookie', ...lb },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    timeline,
  } as ScenarioInput;
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

describe('cookie persistence', () => {
  it('a drained server keeps serving the users whose cookie names it, at an unchanged rate', () => {
    const r = run(cookieUsers([{ at: '10s', do: 'drain', backend: 'vm-a' }]));
    const before = sum(window(r, 'goodput', 3, 10, 'vm-a')) / 7;
    const during = sum(window(r, 'goodput', 12, 30, 'vm-a')) / 18;
    // Only users without a cookie yet are load-balanced (to vm-b); by 10 s nearly all have one.
    expect(during).toBeGreaterThan(0.8 * before);
    expect(r.figures['req_failed.total'] ?? 0).toBe(0);
  });

  it('a server in maintenance (remove) gets no persistent request', () => {
    const r = run(cookieUsers([{ at: '10s', do: 'remove', backend: 'vm-a' }], { remove_resets_flows: false }));
    expect(sum(window(r, 'goodput', 11, 30, 'vm-a'))).toBe(0);
  });

  it('sticky: cookie on an L4 balancer is a scenario error naming the setting', () => {
    const res = ScenarioSchema.safeParse({ lb: { mode: 'l4', sticky: 'cookie' } });
    expect(res.success).toBe(false);
    const issue = res.error!.issues.find((i) => i.path.join('.') === 'lb.sticky');
    expect(issue?.message).toMatch(/^cookie needs lb.mode: l7/);
  });
});

describe('balance source', () => {
  it('anonymous requests (one client address) all go to one server, which changes only when it leaves', () => {
    const r = run({
      warmup: '0s',
      horizon: '20s',
      // One client address: anonymous requests otherwise each come from their own (open-loop.ts).
      clients: { source_ips: 1, requests: { rate: 60, timeout: '5s', retries: 0 } },
      app: { workers: 8, service_time: 'const(5ms)' },
      lb: { mode: 'l7', balance: 'source' },
      backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
      timeline: [{ at: '10s', do: 'drain', backend: 'vm-a' }],
    } as ScenarioInput);
    expect(sum(window(r, 'goodput', 1, 10, 'vm-b'))).toBe(0);
    expect(sum(window(r, 'goodput', 11, 20, 'vm-a'))).toBe(0);
    expect(sum(window(r, 'goodput', 11, 20, 'vm-b'))).toBeGreaterThan(500);
  });

  it('with users, each user address hashes to one server: both servers get a share', () => {
    const r = run({
      warmup: '0s',
      horizon: '10s',
      clients: { requests: { rate: 60, timeout: '5s', retries: 0, users: 100 } },
      app: { workers: 8, service_time: 'const(5ms)' },
      lb: { mode: 'l7', balance: 'source' },
      backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    } as ScenarioInput);
    expect(sum(window(r, 'goodput', 1, 10, 'vm-a'))).toBeGreaterThan(150);
    expect(sum(window(r, 'goodput', 1, 10, 'vm-b'))).toBeGreaterThan(150);
  });
});
