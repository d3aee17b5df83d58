/**
 * Per-server maxconn and timeout queue in HAProxy http mode (lb/queue.ts, lb/l7-dispatch.ts): a
 * server never holds more than maxconn requests (streams); the ones beyond wait in the backend
 * queue for a slot freed by an answered request, in arrival order, and one still waiting after
 * timeout queue gets HAProxy's own 503 (termination sQ, `http_return_srv_error()`), never a reset.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { mean, run, valueAt, window } from '../helpers.js';

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

/** 100 req/s of 100 ms each over two servers: ≈ 5 in flight per server without a limit. */
function openLoop(lb: Record<string, unknown>): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '30s',
    clients: { requests: { rate: 100, timeout: '1h', retries: 0 } },
    app: { workers: 64, service_time: 'const(100ms)' },
    lb: { mode: 'l7', ...lb },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
  } as ScenarioInput;
}

describe('server maxconn and timeout queue (mode http)', () => {
  it('maxconn 2: at most 2 requests per server; the rest wait and are served at the 2 × 2 / 100 ms = 40/s the slots allow', () => {
    const free = run(openLoop({}));
    const r = run(openLoop({ maxconn: 2, timeout_queue: '1h' }));
    expect(mean(window(free, 'active_conn', 5, 30, 'vm-a'))).toBeGreaterThan(4);
    for (let t = 1; t <= 30; t++)
      for (const b of ['vm-a', 'vm-b']) expect(valueAt(r, 'active_conn', t, b)).toBeLessThanOrEqual(2);
    const perSecond = sum(window(r, 'goodput', 11, 30)) / 20;
    expect(perSecond).toBeGreaterThan(36);
    expect(perSecond).toBeLessThan(44);
    expect(sum(window(free, 'goodput', 11, 30)) / 20).toBeGreaterThan(95);
    // Nothing is refused: the queue only grows (latency), no 503 before timeout queue.
    expect(r.figures['req_5xx.total'] ?? 0).toBe(0);
    expect(r.figures['open_loop_latency.max']!).toBeGreaterThan(10);
  });

  it('timeout queue 1s: requests that find no slot within 1 s get 503 from the balancer, not a reset or a refusal', () => {
    const r = run(openLoop({ maxconn: 2, timeout_queue: '1s' }));
    const [first] = recordsOf(r, 'lb.queue_timeout_503');
    expect(first.timeout).toBe(1);
    expect(first.maxconn).toBe(2);
    expect(first.t).toBeGreaterThanOrEqual(1);
    // ≈ 100/s arrive, ≈ 40/s get a slot: the other ≈ 60/s are answered 503 after 1 s.
    const rejected = sum(window(r, 'req_5xx', 11, 30)) / 20;
    expect(rejected).toBeGreaterThan(50);
    expect(rejected).toBeLessThan(70);
    expect(r.figures['err_econnreset.total'] ?? 0).toBe(0);
    expect(r.figures['err_econnrefused.total'] ?? 0).toBe(0);
    // No request waits longer than timeout queue + its service.
    expect(r.figures['open_loop_latency.max']!).toBeLessThan(1.3);
  });

  it('timeout queue unset waits timeout connect', () => {
    const [first] = recordsOf(run(openLoop({ maxconn: 2, connect_timeout: '2s' })), 'lb.queue_timeout_503');
    expect(first.timeout).toBe(2);
  });

  it('keep-alive clients: a queued request past timeout queue gets 503 and its connection is closed by the LB', () => {
    const r = run({
      warmup: '0s',
      horizon: '30s',
      clients: {
        http: { arrival_rate: 20, requests_per_connection: 'const(10)', think_time: 'const(200ms)', retries: 0 },
      },
      app: { workers: 64, service_time: 'const(100ms)' },
      lb: { mode: 'l7', maxconn: 1, timeout_queue: '500ms' },
      backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    } as ScenarioInput);
    for (let t = 1; t <= 30; t++) expect(valueAt(r, 'active_conn', t)).toBeLessThanOrEqual(2);
    expect(recordsOf(r, 'lb.queue_timeout_503').length).toBeGreaterThan(0);
    expect(r.figures['responses_5xx.total']!).toBeGreaterThan(50);
    expect(r.figures['err_econnreset.total'] ?? 0).toBe(0);
  });
});
